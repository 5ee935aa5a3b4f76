#include "engine/calibration.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "backends/backend.hpp"

namespace parbench {
namespace {

using Clock = std::chrono::steady_clock;

// Best time of `repetitions` jobs, after one untimed job that wakes the workers.
double best_job_seconds(Backend& backend, const Policy& policy, std::uint64_t expected,
                        unsigned repetitions) {
  double best = 1e30;
  for (unsigned rep = 0; rep <= repetitions; ++rep) {
    const auto start = Clock::now();
    const std::uint64_t total = backend.run(policy);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (total != expected) throw std::runtime_error("calibration sum came out wrong");
    if (rep > 0) best = std::min(best, seconds);
  }
  return best;
}

// Reads the array with `threads` workers; the first reader makes it.
double read_bytes_per_second(SumWork& work, unsigned threads, unsigned repetitions) {
  const BackendLaunch reader = calibration_backend();
  const PolicyName* blocks = find_policy(*reader.backend, KernelKind::sum, Split::block);
  const Policy policy = parse_policy(*reader.backend, KernelKind::sum, blocks->name, 1);
  auto backend = make_backend(*reader.backend, reader.launch);
  const unsigned obtained = backend->start(work, threads);
  if (obtained != threads) throw std::runtime_error("calibration got fewer threads than asked");
  backend->prepare(policy, FirstTouch::workers);
  return static_cast<double>(work.bytes()) /
         best_job_seconds(*backend, policy, work.expected(), repetitions);
}

}  // namespace

Calibration calibrate_read_bandwidth(SumWork& work, unsigned threads, const Doubt& doubt) {
  Calibration c;
  c.bytes = work.bytes();
  c.threads = threads;
  c.repetitions = 4;  // per read: a calibration has two reads or more
  for (int i = 0; i < kMostCalibrationReads; ++i) {
    CalibrationRead read;
    read.bytes_per_second = read_bytes_per_second(work, threads, c.repetitions);
    read.bytes_per_second_one_thread = read_bytes_per_second(work, 1, c.repetitions);
    if (doubt) read.doubt = doubt(read, c.reads);
    c.bytes_per_second = std::max(c.bytes_per_second, read.bytes_per_second);
    c.bytes_per_second_one_thread =
        std::max(c.bytes_per_second_one_thread, read.bytes_per_second_one_thread);
    c.reads.push_back(read);
    if (!read.doubt) break;
  }
  return c;
}

std::optional<std::string> doubt_alone(const CalibrationRead& read, unsigned threads) {
  if (threads > 1 && read.bytes_per_second < read.bytes_per_second_one_thread)
    return std::to_string(threads) + " threads read slower than one";
  return std::nullopt;
}

std::optional<std::string> doubt_unconfirmed(const CalibrationRead& read,
                                             const std::vector<CalibrationRead>& earlier,
                                             double tolerance) {
  if (earlier.empty()) return "not confirmed yet";
  const double change = read.bytes_per_second / earlier.back().bytes_per_second - 1;
  if (std::abs(change) <= tolerance) return std::nullopt;
  char text[64];
  std::snprintf(text, sizeof text, "%+.0f%% from the read before it", 100 * change);
  return text;
}

std::optional<std::string> doubt_against(const CalibrationRead& read, const Calibration& earlier,
                                         double tolerance) {
  if (earlier.bytes_per_second <= 0) return std::nullopt;
  const double change = read.bytes_per_second / earlier.bytes_per_second - 1;
  if (std::abs(change) <= tolerance) return std::nullopt;
  char text[96];
  std::snprintf(text, sizeof text, "%+.0f%% from the read before the benchmarks", 100 * change);
  return text;
}

nlohmann::json calibration_json(const Calibration& c) {
  nlohmann::json reads = nlohmann::json::array();
  for (const auto& r : c.reads) {
    nlohmann::json read = {{"bytes_per_second", r.bytes_per_second},
                           {"bytes_per_second_one_thread", r.bytes_per_second_one_thread}};
    if (r.doubt) read["read_again"] = *r.doubt;
    reads.push_back(std::move(read));
  }
  return {{"bytes_per_second", c.bytes_per_second},
          {"bytes_per_second_one_thread", c.bytes_per_second_one_thread},
          {"reads", std::move(reads)}};
}

}  // namespace parbench
