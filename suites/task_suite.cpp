// Uneven work: sleep and spin task sets on every backend and task policy, held against the
// schedule model. Each job is checked (every task once, none shorter than its duration) and
// its last timeline kept for the report.
#include <time.h>

#include <algorithm>
#include <numeric>

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

void run_tasks(benchmark::State& state, const TaskCase& c, BenchmarkList& benchmarks) {
  release_sum_data();
  const Policy& policy = c.variant.policy;
  StartedTasks* started = nullptr;
  if (!run_checked(state, [&] {
        started = &kept().get<StartedTasks>(group_of(c), c.name, [&] {
          auto s = std::make_unique<StartedTasks>(c.spec);
          s->backend = make_backend(*c.variant.backend, c.variant.launch);
          s->backend->set_pin(c.pin);
          s->obtained = s->backend->start(s->work, c.workers);
          s->backend->prepare(policy, FirstTouch::workers);
          return s;
        });
      })) {
    kept().drop(c.name);
    return;
  }
  TaskWork& work = started->work;
  Backend* backend = started->backend.get();
  const unsigned obtained = started->obtained;
  work.forget_cpus_seen();

  // Spinning tasks cannot run on more CPUs than the process may use; sleeping ones need none.
  const unsigned cpus = c.spec.kernel == "spin" ? std::min(obtained, usable_cpus()) : obtained;
  const Prediction prediction = model(work.durations(), obtained, cpus, policy);
  const double bound = prediction.lower_bound * c.spec.unit;

  const double cpu_before = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
  const double children_before = backend->children_cpu_seconds();
  double imbalance_total = 0;
  try {
    for (auto _ : state) {
      job_done();  // for the watchdog
      work.begin_job();
      benchmark::DoNotOptimize(backend->run(policy));
      backend->collect();
      if (const std::string why = work.check_job(); !why.empty()) {
        state.SkipWithError(why.c_str());
        return;
      }
      imbalance_total += imbalance(busy_per_worker(work, obtained));
    }
  } catch (const WorkerFailure& e) {
    kept().drop(c.name);  // a pool that lost a worker is not reused
    state.SkipWithError(failure_text(e).c_str());
    return;
  }
  const double jobs = static_cast<double>(state.iterations());
  const double children = backend->children_cpu_seconds() - children_before;
  state.counters["verified"] = 1;
  state.counters["workers_obtained"] = obtained;
  state.counters["lower_bound"] = bound;
  state.counters["predicted"] = prediction.makespan * c.spec.unit;
  state.counters["predicted_upper"] = prediction.upper * c.spec.unit;
  state.counters["imbalance"] = imbalance_total / jobs;
  state.counters["cpu_time_used"] =
      (clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_before + children) / jobs;
  if (c.variant.backend->reports_children_cpu)
    state.counters["children_cpu_time"] = children / jobs;

  const auto busy = busy_per_worker(work, obtained);
  double last_makespan = 0;
  for (std::size_t t = 0; t < work.durations().size(); ++t)
    last_makespan = std::max(last_makespan, work.record(t).end);
  nlohmann::json idle = nlohmann::json::array();
  for (double b : busy) idle.push_back(last_makespan - b);
  benchmarks.note(c.name, {{"prediction", prediction.method},
                           {"timeline", timeline_of(work, c.spec.unit)},
                           {"idle", idle},
                           {"placement", placement_note(c.pin, work.cpus_seen(obtained))}});
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
