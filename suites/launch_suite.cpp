// What it costs to start workers and to hand them a job, measured on their own so that no
// other benchmark has to include it: what the system takes to make one worker (each
// backend's launch probes), pool/arena start, and one empty job's dispatch and collection.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "engine/supervisor.hpp"
#include "kernels/count.hpp"
#include "platform/clocks.hpp"
#include "platform/machine.hpp"
#include "platform/mapping.hpp"
#include "suites/variants.hpp"

namespace parbench {
namespace {

nlohmann::json launch_params(const std::string& backend, const std::string& launch,
                             const std::string& what, unsigned workers) {
  return {{"kernel", "launch"},
          {"backend", backend},
          {"launch", launch},
          {"policy", what},
          {"workers", workers}};
}

// One of a backend's launch probes, timed once per iteration after its set-up.
void probe(benchmark::State& state, const BackendInfo& backend, const LaunchProbe& p) {
  release_sum_data();
  std::function<std::optional<std::string>()> body;
  try {
    body = p.prepare();
  } catch (const std::bad_alloc&) {
    state.SkipWithError("out of memory");
    return;
  }
  const double cpu_before = reaped_children_cpu_seconds();
  for (auto _ : state) {
    job_done();  // for the watchdog
    if (const auto why = body()) {
      state.SkipWithError(why->c_str());
      return;
    }
  }
  state.counters["verified"] = 1;
  if (backend.reports_children_cpu && p.children_reaped_here)
    state.counters["children_cpu_time"] = benchmark::Counter(
        reaped_children_cpu_seconds() - cpu_before, benchmark::Counter::kAvgIterations);
}

void pool_start(benchmark::State& state, const Variant& v, unsigned workers) {
  release_sum_data();
  CountWork work(workers);
  unsigned obtained = 0;
  try {
    for (auto _ : state) {
      job_done();  // for the watchdog
      auto backend = make_backend(*v.backend, v.launch);
      obtained = backend->start(work, workers);
      benchmark::DoNotOptimize(obtained);
    }
  } catch (const WorkerFailure& e) {
    state.SkipWithError(failure_text(e).c_str());
    return;
  }
  state.counters["verified"] = 1;
  state.counters["workers_obtained"] = obtained;
}

// A started backend with its empty job, kept across the benchmark's repetitions.
struct StartedDispatch {
  explicit StartedDispatch(unsigned workers) : work(workers) {}
  CountWork work;  // declared first, so destroyed last
  std::unique_ptr<Backend> backend;
  unsigned obtained = 0;
};

std::string group_of(unsigned workers) {
  return "launch/workers:" + std::to_string(workers);
}

void dispatch(benchmark::State& state, const Variant& v, unsigned workers, Pin pin,
              const std::string& name) {
  release_sum_data();
  bool ok = true;
  unsigned obtained = 0;
  try {
    StartedDispatch& s = group_cache().get<StartedDispatch>(group_of(workers), name, [&] {
      auto started = std::make_unique<StartedDispatch>(workers);
      started->backend = make_backend(*v.backend, v.launch);
      started->backend->set_pin(pin);
      started->obtained = started->backend->start(started->work, workers);
      return started;
    });
    obtained = s.obtained;
    for (auto _ : state) {
      job_done();  // for the watchdog
      const std::uint64_t total = s.backend->run(v.policy);
      benchmark::DoNotOptimize(total);
      ok &= total == workers;
    }
  } catch (const WorkerFailure& e) {
    group_cache().drop(name);  // a pool that lost a worker is not reused
    state.SkipWithError(failure_text(e).c_str());
    return;
  }
  if (!ok) {
    state.SkipWithError("an item of the empty job was lost or run twice");
    return;
  }
  state.counters["verified"] = 1;
  state.counters["workers_obtained"] = obtained;
}

// The bare runtime's cheapest job, the floor of `dispatch` on the same workers, kept across
// the benchmark's repetitions as dispatch's backend is.
void dispatch_floor(benchmark::State& state, const DispatchFloor& floor, unsigned workers,
                    const std::string& name, BenchmarkList& benchmarks) {
  release_sum_data();
  bool ok = true;
  try {
    using Job = std::function<std::uint64_t()>;
    Job& job = group_cache().get<Job>(group_of(workers), name,
                                      [&] { return std::make_unique<Job>(floor.start(workers)); });
    for (auto _ : state) {
      job_done();  // for the watchdog
      const std::uint64_t took_part = job();
      benchmark::DoNotOptimize(took_part);
      ok &= took_part == workers;
    }
  } catch (const std::exception& e) {
    group_cache().drop(name);
    state.SkipWithError(failure_text(e).c_str());
    return;
  }
  if (!ok) {
    state.SkipWithError("not every worker took part in the bare job");
    return;
  }
  benchmarks.note(name, {{"floor", floor.what}});
  state.counters["verified"] = 1;
  state.counters["workers_obtained"] = workers;
}

}  // namespace

void register_launch_benchmarks(const Config& config, BenchmarkList& benchmarks) {
  for (const auto& backend : backends()) {
    const auto& selected = config.backends;
    if (!backend.launch_probes ||
        std::find(selected.begin(), selected.end(), backend.name) == selected.end())
      continue;
    for (const LaunchProbe& p : backend.launch_probes()) {
      auto params = launch_params(backend.name, p.launch, p.what, 1);
      params.update(p.params);
      std::string name = "launch/" + backend.name + "/" + p.what;
      if (!p.detail.empty()) name += "/" + p.detail;
      benchmarks.add(
          name, params, [&backend, p](benchmark::State& s) { probe(s, backend, p); },
          benchmark::kMicrosecond, group_of(1));
    }
  }

  for (const Variant& v : select_variants(config, KernelKind::sum, 1)) {
    // One entry per (backend, launch): the first policy (block, static, auto) is the cheapest.
    if (v.backend->reference || v.policy.name() != v.backend->sum_policies.front().name) continue;
    for (unsigned workers : config.sum_workers) {
      const std::string tail = "workers:" + std::to_string(workers);
      const auto& timed = v.backend->timed_starts;
      if (std::find(timed.begin(), timed.end(), v.launch) != timed.end())
        benchmarks.add(
            benchmark_name("launch", *v.backend, v.launch, "start", tail),
            launch_params(v.backend->name, v.launch, "start", workers),
            [v, workers](benchmark::State& s) { pool_start(s, v, workers); },
            benchmark::kMicrosecond, group_of(workers));
      if (const auto& floor = v.backend->dispatch_floor; floor && floor->launch == v.launch) {
        const std::string name = benchmark_name("launch", *v.backend, v.launch, "floor", tail);
        benchmarks.add(
            name, launch_params(v.backend->name, v.launch, "floor", workers),
            [&benchmarks, floor = *floor, workers, name](benchmark::State& s) {
              dispatch_floor(s, floor, workers, name, benchmarks);
            },
            benchmark::kMicrosecond, group_of(workers));
      }
      const std::string name = benchmark_name("launch", *v.backend, v.launch, "dispatch", tail);
      benchmarks.add(
          name, launch_params(v.backend->name, v.launch, "dispatch", workers),
          [v, workers, pin = parse_pin(config.pin), name](benchmark::State& s) {
            dispatch(s, v, workers, pin, name);
          },
          benchmark::kMicrosecond, group_of(workers));
    }
  }
}

}  // namespace parbench
