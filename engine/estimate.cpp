#include "engine/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "backends/backend.hpp"
#include "engine/calibration.hpp"
#include "kernels/schedule.hpp"
#include "kernels/sum.hpp"
#include "kernels/tasks.hpp"
#include "platform/machine.hpp"

namespace parbench {
namespace {

// Google Benchmark's target for one repetition, as a multiple of min_time.
constexpr double kRepetitionOverMinTime = 1.4;
// Its first repetition also runs 1, 10, 100, ... iterations until it can predict: at most a
// tenth of the target, summed.
constexpr double kTriesOverTarget = 0.11;
// The calibration: 7 timed reads and one that wakes the workers, with all CPUs and with one.
constexpr double kCalibrationReads = 8;

const std::vector<PolicyName>& policies(const BackendInfo& b, const std::string& kernel) {
  return kernel == "sum" ? b.sum_policies : b.task_policies;
}

// The generic split of a benchmark's policy, from the registry ("dynamic:4096" -> dynamic).
const PolicyName* policy_of(const nlohmann::json& params) {
  const BackendInfo* backend = find_backend(params.value("backend", ""));
  if (backend == nullptr) return nullptr;
  const std::string text = params.value("policy", "");
  const std::string base = text.substr(0, text.find_first_of(":("));
  for (const auto& p : policies(*backend, params.value("kernel", "")))
    if (p.name == base) return &p;
  return nullptr;
}

// One job of a sum: the workers read the array together, up to the machine's bandwidth; in a
// strided split every worker reads every cache line, as one thread reading it all would.
double sum_job_seconds(const nlohmann::json& params, const MachineRates& rates) {
  const double bytes = params.value("bytes", 0.0);
  const unsigned workers = params.value("workers", 1u);
  const PolicyName* policy = policy_of(params);
  const double one = rates.read_bytes_per_second_one_thread;
  if (policy != nullptr && policy->split == Split::cyclic && workers > 1) return bytes / one;
  const double together =
      std::min(rates.read_bytes_per_second, one * std::min(workers, rates.cpus));
  return bytes / together;
}

// One job of a task set: the schedule model's makespan.
double task_job_seconds(const nlohmann::json& params, const MachineRates& rates) {
  const TaskSet set = parse_task_set(params.value("tasks", "seed"));
  const unsigned workers = params.value("workers", 1u);
  const PolicyName* policy = policy_of(params);
  const Discipline d =
      policy == nullptr ? Discipline::queue : discipline_of(policy->split, policy->longest_first);
  const bool spins = params.value("kernel", "") == "spin";
  const unsigned cpus = spins ? std::min(workers, rates.cpus) : workers;
  return predict(set.durations, workers, d, cpus).makespan * params.value("unit", 1e-3);
}

double job_seconds(const nlohmann::json& params, const MachineRates& rates) {
  const std::string kernel = params.value("kernel", "");
  if (kernel == "sum") return sum_job_seconds(params, rates);
  if (kernel == "sleep" || kernel == "spin") return task_job_seconds(params, rates);
  return 0;  // launch: microseconds, the repetitions' minimum time decides
}

// Untimed work around a sum: two warm-up jobs, and making the array when the size changes.
double sum_setup_seconds(const nlohmann::json& params, double job, std::size_t& last_bytes,
                         const MachineRates& rates) {
  double seconds = 2 * job;
  const std::size_t bytes = params.value("bytes", std::size_t{0});
  if (bytes != last_bytes) seconds += static_cast<double>(bytes) / rates.make_bytes_per_second;
  last_bytes = bytes;
  return seconds;
}

double calibration_seconds(const MachineRates& rates) {
  const double bytes = static_cast<double>(rates.calibration_bytes);
  const double reads = kCalibrationReads * (bytes / rates.read_bytes_per_second +
                                            bytes / rates.read_bytes_per_second_one_thread);
  return 2 * reads + bytes / rates.make_bytes_per_second;
}

}  // namespace

MachineRates measure_rates(std::size_t calibration_size) {
  SumWork array(calibration_size, Mapping::private_pages);
  return rates_of(calibrate_read_bandwidth(array, usable_cpus()), array);
}

MachineRates rates_of(const Calibration& c, const SumWork& array) {
  MachineRates rates;
  rates.read_bytes_per_second = c.bytes_per_second;
  rates.read_bytes_per_second_one_thread = c.bytes_per_second_one_thread;
  rates.make_bytes_per_second =
      static_cast<double>(array.bytes()) / std::max(array.made_seconds(), 1e-9);
  rates.calibration_bytes = array.bytes();
  rates.cpus = usable_cpus();
  return rates;
}

double benchmark_seconds(double job_seconds, unsigned repetitions, double min_time) {
  const double target = kRepetitionOverMinTime * min_time;
  if (job_seconds >= min_time) return repetitions * job_seconds;
  return repetitions * target + kTriesOverTarget * target;
}

namespace {

unsigned fewest_repetitions(const Measurement& m) {
  return m.repetitions > 0 ? m.repetitions : m.min_repetitions;
}

}  // namespace

double budgeted_seconds(double job_seconds, const Measurement& m, double min_time) {
  const double fewest = benchmark_seconds(job_seconds, fewest_repetitions(m), min_time);
  if (m.repetitions > 0) return fewest;
  const double one =
      benchmark_seconds(job_seconds, 1, min_time) - benchmark_seconds(job_seconds, 0, min_time);
  const double most = benchmark_seconds(job_seconds, m.max_repetitions, min_time);
  return std::max(fewest, std::min(most, m.benchmark_budget + one));
}

RunEstimate estimate_run(const BenchmarkList& benchmarks, const std::vector<std::string>& selected,
                         const Measurement& m, double min_time, const MachineRates& rates) {
  RunEstimate estimate;
  const std::set<std::string> wanted(selected.begin(), selected.end());
  std::size_t last_bytes = 0;
  for (const auto& entry : benchmarks.entries()) {
    if (wanted.count(entry.name) == 0) continue;
    const std::string kernel = entry.params.value("kernel", "");
    ++estimate.benchmarks[kernel];
    ++estimate.total;
    const double job = job_seconds(entry.params, rates);
    const double setup =
        kernel == "sum" ? sum_setup_seconds(entry.params, job, last_bytes, rates) : 0;
    const double fewest = setup + benchmark_seconds(job, fewest_repetitions(m), min_time);
    const double most = setup + budgeted_seconds(job, m, min_time);
    estimate.seconds += fewest;
    estimate.most_seconds += most;
    estimate.per_benchmark[entry.name] = (fewest + most) / 2;
  }
  estimate.seconds += calibration_seconds(rates);
  estimate.most_seconds += calibration_seconds(rates);
  const double budget = m.run_budget;
  if (budget > 0)
    estimate.most_seconds = std::max(estimate.seconds, std::min(estimate.most_seconds, budget));
  return estimate;
}

}  // namespace parbench
