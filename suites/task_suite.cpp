// Uneven work: sleep and spin task sets on every backend and task policy, held against the
// schedule model. Each job is checked (every task once, none shorter than its duration) and
// its last timeline kept for the report.
#include <time.h>

#include <algorithm>
#include <numeric>
#include <optional>

#include "engine/supervisor.hpp"
#include "kernels/schedule.hpp"
#include "kernels/spec.hpp"
#include "kernels/tasks.hpp"
#include "platform/clocks.hpp"
#include "platform/machine.hpp"
#include "schema/names.hpp"
#include "suites/variants.hpp"

namespace parbench {
namespace {

// The model's prediction, in units, for the items as the backend sees them: pieces of `grain`
// consecutive tasks are one unit of scheduling for a dynamic policy.
Prediction model(const std::vector<double>& durations, unsigned workers, unsigned cpus,
                 const Policy& policy) {
  const Discipline d = discipline_of(policy.split(), policy.longest_first());
  const std::size_t grain = policy.grain();
  std::vector<double> items = durations;
  if (d == Discipline::queue && grain > 1) {
    std::vector<double> pieces;
    for (std::size_t i = 0; i < items.size(); i += grain)
      pieces.push_back(std::accumulate(
          items.begin() + static_cast<std::ptrdiff_t>(i),
          items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), i + grain)), 0.0));
    Prediction p = predict(pieces, workers, d, cpus);
    p.lower_bound = lower_bound(durations, std::min(workers, cpus));
    p.method += " (pieces of " + std::to_string(grain) + " tasks)";
    return p;
  }
  return predict(items, workers, d, cpus);
}

// Busy seconds per worker in the last job, from its records.
std::vector<double> busy_per_worker(const TaskWork& work, unsigned workers) {
  std::vector<double> busy(workers, 0.0);
  for (std::size_t t = 0; t < work.durations().size(); ++t) {
    const TaskRecord& r = work.record(t);
    if (r.worker >= 0 && static_cast<unsigned>(r.worker) < workers)
      busy[static_cast<std::size_t>(r.worker)] += r.end - r.start;
  }
  return busy;
}

double imbalance(const std::vector<double>& busy) {
  const double mean =
      std::accumulate(busy.begin(), busy.end(), 0.0) / static_cast<double>(busy.size());
  return mean > 0 ? *std::max_element(busy.begin(), busy.end()) / mean : 1.0;
}

nlohmann::json timeline_of(const TaskWork& work, double unit) {
  nlohmann::json timeline = nlohmann::json::array();
  for (std::size_t t = 0; t < work.durations().size(); ++t) {
    const TaskRecord& r = work.record(t);
    timeline.push_back({{"task", t},
                        {"duration", work.durations()[t] * unit},
                        {"worker", r.worker},
                        {"start", r.start},
                        {"end", r.end}});
  }
  return timeline;
}

struct TaskCase {
  Variant variant;
  unsigned workers;
  KernelSpec spec;
  std::string name;
  Pin pin;
};

// A started backend with its task set, kept across the benchmark's repetitions.
struct StartedTasks {
  explicit StartedTasks(const KernelSpec& spec) : work(spec) {}
  TaskWork work;  // declared first, so destroyed last
  std::unique_ptr<Backend> backend;
  unsigned obtained = 0;
};

std::string group_of(const TaskCase& c) {
  return c.spec.kernel + "/" + c.spec.tasks + "/" + std::to_string(c.spec.unit) +
         "/workers:" + std::to_string(c.workers);
}

// Starts the backend with its task set, unless this benchmark is already started; null, as the
// benchmark's error, when it cannot be.
StartedTasks* start_tasks(benchmark::State& state, const TaskCase& c) {
  StartedTasks* started = nullptr;
  if (!run_checked(state, [&] {
        started = &group_cache().get<StartedTasks>(group_of(c), c.name, [&] {
          auto s = std::make_unique<StartedTasks>(c.spec);
          s->backend = make_backend(*c.variant.backend, c.variant.launch);
          s->backend->set_pin(c.pin);
          s->obtained = s->backend->start(s->work, c.workers);
          s->backend->prepare(c.variant.policy, FirstTouch::workers);
          return s;
        });
      })) {
    group_cache().drop(c.name);
    return nullptr;
  }
  return started;
}

// The model's prediction for the workers obtained. Spinning tasks cannot run on more CPUs than
// the process may use; sleeping ones need none.
Prediction prediction_for(const TaskCase& c, const StartedTasks& started) {
  const unsigned obtained = started.obtained;
  const unsigned cpus = c.spec.kernel == "spin" ? std::min(obtained, usable_cpus()) : obtained;
  return model(started.work.durations(), obtained, cpus, c.variant.policy);
}

// What the timed jobs used besides wall time, summed over them.
struct JobTotals {
  double cpu_seconds = 0;       // the process's and its worker processes'
  double children_seconds = 0;  // the worker processes' alone
  double imbalance = 0;         // each job's busiest worker over the mean
};

// The timed jobs, each one checked (every task once, none shorter than its duration); nullopt,
// as the benchmark's error, when one fails.
std::optional<JobTotals> run_jobs(benchmark::State& state, const TaskCase& c,
                                  StartedTasks& started) {
  TaskWork& work = started.work;
  Backend& backend = *started.backend;
  const double cpu_before = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
  const double children_before = backend.children_cpu_seconds();
  JobTotals totals;
  try {
    for (auto _ : state) {
      job_done();  // for the watchdog
      work.begin_job();
      benchmark::DoNotOptimize(backend.run(c.variant.policy));
      backend.collect();
      if (const auto why = work.check_job()) {
        state.SkipWithError(why->c_str());
        return std::nullopt;
      }
      totals.imbalance += imbalance(busy_per_worker(work, started.obtained));
    }
  } catch (const WorkerFailure& e) {
    group_cache().drop(c.name);  // a pool that lost a worker is not reused
    state.SkipWithError(failure_text(e).c_str());
    return std::nullopt;
  }
  totals.children_seconds = backend.children_cpu_seconds() - children_before;
  totals.cpu_seconds =
      clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_before + totals.children_seconds;
  return totals;
}

void set_counters(benchmark::State& state, const TaskCase& c, unsigned obtained,
                  const Prediction& prediction, const JobTotals& totals) {
  const double jobs = static_cast<double>(state.iterations());
  state.counters["verified"] = 1;
  state.counters["workers_obtained"] = obtained;
  state.counters["lower_bound"] = prediction.lower_bound * c.spec.unit;
  state.counters["predicted"] = prediction.makespan * c.spec.unit;
  state.counters["predicted_upper"] = prediction.upper * c.spec.unit;
  state.counters["imbalance"] = totals.imbalance / jobs;
  state.counters["cpu_time_used"] = totals.cpu_seconds / jobs;
  if (c.variant.backend->reports_children_cpu)
    state.counters["children_cpu_time"] = totals.children_seconds / jobs;
}

// The last job as the report keeps it: how it was predicted, its timeline, each worker's idle
// time, where the workers ran.
nlohmann::json last_job_note(const TaskCase& c, const TaskWork& work, unsigned obtained,
                             const Prediction& prediction) {
  double last_makespan = 0;
  for (std::size_t t = 0; t < work.durations().size(); ++t)
    last_makespan = std::max(last_makespan, work.record(t).end);
  nlohmann::json idle = nlohmann::json::array();
  for (double b : busy_per_worker(work, obtained)) idle.push_back(last_makespan - b);
  return {{"prediction", prediction.method},
          {"timeline", timeline_of(work, c.spec.unit)},
          {"idle", idle},
          {"placement", placement_note(c.pin, work.cpus_seen(obtained))}};
}

void run_tasks(benchmark::State& state, const TaskCase& c, BenchmarkList& benchmarks) {
  release_sum_data();
  StartedTasks* started = start_tasks(state, c);
  if (started == nullptr) return;
  started->work.forget_cpus_seen();
  const Prediction prediction = prediction_for(c, *started);
  const std::optional<JobTotals> totals = run_jobs(state, c, *started);
  if (!totals) return;
  set_counters(state, c, started->obtained, prediction, *totals);
  benchmarks.note(c.name, last_job_note(c, started->work, started->obtained, prediction));
}

}  // namespace

void register_task_benchmarks(const Config& config, BenchmarkList& benchmarks) {
  const auto variants = select_variants(config, KernelKind::tasks, 1);
  const auto worker_counts = config.task_workers;
  for (const std::string& kernel : config.kernels) {
    if (kernel != "sleep" && kernel != "spin") continue;
    for (const std::string& spec_text : config.task_sets) {
      const TaskSet set = parse_task_set(spec_text);
      for (const auto& v : variants)
        for (unsigned workers : worker_counts) {
          if (v.backend->reference && workers != worker_counts.front()) continue;
          const unsigned w = v.backend->reference ? 1 : workers;
          const std::string name =
              benchmark_name(kernel, *v.backend, v.launch, v.policy.name(),
                             "workers:" + std::to_string(w) + "/tasks:" + spec_text +
                                 "/unit:" + schema::duration_name(config.unit));
          const nlohmann::json params = {
              {"kernel", kernel},    {"backend", v.backend->name},
              {"launch", v.launch},  {"policy", v.policy.name()},
              {"workers", w},        {"tasks", spec_text},
              {"unit", config.unit}, {"task_count", set.durations.size()}};
          KernelSpec spec;
          spec.kernel = kernel;
          spec.tasks = spec_text;
          spec.unit = config.unit;
          spec.longest_first = v.policy.longest_first();
          const TaskCase c{v, w, spec, name, parse_pin(config.pin)};
          benchmarks.add(
              name, params, [c, &benchmarks](benchmark::State& s) { run_tasks(s, c, benchmarks); },
              benchmark::kMillisecond);
        }
    }
  }
}

}  // namespace parbench
