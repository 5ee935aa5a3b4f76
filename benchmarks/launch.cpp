// What it costs to start workers and to hand them a job, measured on their own so that no
// other benchmark has to include it: thread create+join, fork+wait at several process sizes
// and mappings, pool/arena start, and one empty job's dispatch and collection.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "benchmarks/suite.hpp"
#include "benchmarks/supervisor.hpp"
#include "kernels/count.hpp"
#include "platform/clocks.hpp"
#include "platform/machine.hpp"
#include "platform/mapping.hpp"

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

void create_join(benchmark::State& state) {
  for (auto _ : state) {
    job_done();  // for the watchdog
    std::thread t([] {});
    t.join();
  }
  state.counters["verified"] = 1;
}

// fork + _exit + waitpid while the process has `bytes` touched in a mapping of the given kind:
// fork copies the page tables of private memory, which is what grows with the process.
void fork_wait(benchmark::State& state, std::size_t bytes, Mapping mapping) {
  release_sum_data();
  MappedRegion region;
  try {
    region = MappedRegion(bytes, mapping);
  } catch (const std::bad_alloc&) {
    state.SkipWithError("out of memory");
    return;
  }
  if (bytes > 0) std::memset(region.data(), 1, bytes);
  const double cpu_before = reaped_children_cpu_seconds();
  for (auto _ : state) {
    job_done();  // for the watchdog
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
      state.SkipWithError("fork failed");
      return;
    }
  }
  state.counters["verified"] = 1;
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

void dispatch(benchmark::State& state, const Variant& v, unsigned workers, Pin pin) {
  release_sum_data();
  CountWork work(workers);
  auto backend = make_backend(*v.backend, v.launch);
  backend->set_pin(pin);
  unsigned obtained = 0;
  bool ok = true;
  try {
    obtained = backend->start(work, workers);
    for (auto _ : state) {
      job_done();  // for the watchdog
      const std::uint64_t total = backend->run(v.policy);
      benchmark::DoNotOptimize(total);
      ok &= total == workers;
    }
  } catch (const WorkerFailure& e) {
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

}  // namespace

void register_launch_benchmarks(const Config& config, Registry& registry) {
  registry.add("launch/thread/create_join", launch_params("thread", "spawn", "create_join", 1),
               create_join, benchmark::kMicrosecond);

  const std::size_t big =
      std::min<std::size_t>(std::size_t{256} << 20, available_memory_bytes() / 4);
  struct ForkCase {
    std::size_t bytes;
    Mapping mapping;
  };
  for (const ForkCase& c :
       {ForkCase{0, Mapping::private_pages}, ForkCase{big, Mapping::private_pages},
        ForkCase{big, Mapping::private_hugepages}, ForkCase{big, Mapping::shared}}) {
    auto params = launch_params("fork", "spawn", "fork_wait", 1);
    params["bytes"] = c.bytes;
    params["mapping"] = to_string(c.mapping);
    registry.add(
        "launch/fork/fork_wait/mapping:" + std::string(to_string(c.mapping)) +
            "/bytes:" + std::to_string(c.bytes),
        params, [c](benchmark::State& s) { fork_wait(s, c.bytes, c.mapping); },
        benchmark::kMicrosecond);
  }

  for (const Variant& v : select_variants(config, KernelKind::sum, 1)) {
    // One entry per (backend, launch): the first policy (block, static, auto) is the cheapest.
    if (v.backend->reference || v.policy.name() != v.backend->sum_policies.front().name) continue;
    for (unsigned workers : workers_for(config, false)) {
      const std::string tail = "workers:" + std::to_string(workers);
      const auto& timed = v.backend->timed_starts;
      if (std::find(timed.begin(), timed.end(), v.launch) != timed.end())
        registry.add(
            benchmark_name("launch", *v.backend, v.launch, "start", tail),
            launch_params(v.backend->name, v.launch, "start", workers),
            [v, workers](benchmark::State& s) { pool_start(s, v, workers); },
            benchmark::kMicrosecond);
      registry.add(
          benchmark_name("launch", *v.backend, v.launch, "dispatch", tail),
          launch_params(v.backend->name, v.launch, "dispatch", workers),
          [v, workers, pin = parse_pin(config.pin)](benchmark::State& s) {
            dispatch(s, v, workers, pin);
          },
          benchmark::kMicrosecond);
    }
  }
}

}  // namespace parbench
