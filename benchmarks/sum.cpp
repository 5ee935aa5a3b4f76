// The big sum: how close each backend and split get to the machine's read bandwidth.
#include <memory>

#include "backends/team.hpp"
#include "benchmarks/suite.hpp"
#include "benchmarks/supervisor.hpp"
#include "kernels/sum.hpp"

namespace parbench {

namespace {

constexpr std::size_t kSumGrain = 1 << 16;  // 512 KiB pieces for the dynamic policies

// One array at a time: benchmarks are registered size by size, so each is made once.
std::unique_ptr<SumData>& current_sum_data() {
  static std::unique_ptr<SumData> current;
  return current;
}

const SumData& sum_data(std::size_t n, Mapping mapping) {
  std::unique_ptr<SumData>& current = current_sum_data();
  if (!current || current->size() != n) {
    current.reset();
    current = std::make_unique<SumData>(n, mapping);
  }
  return *current;
}

// Untimed jobs before the timing, returning "" or what went wrong. A forked child's first pass
// over pages it shares with its parent is slow (on one VM 0.9 GB/s, then 33 GB/s on its second
// pass, with no page fault counted), and a pool's children keep what they touched: that is
// set-up, not the steady state. A cyclic job (where the backend has one) has every worker touch
// every page, whichever pieces the measured policy hands it later; then one job of that policy.
// A spawn launch starts new workers in every job, so that first pass is part of each job's cost.
std::string warm_up(Backend& backend, const Variant& v, std::uint64_t expected) {
  if (v.launch == "spawn") return "";
  const Policy& policy = v.policy;
  try {
    if (is_counter_split(policy.split) &&
        backend.run(Policy{"cyclic", Split::cyclic, 1}) != expected)
      return "wrong sum in the cyclic warm-up job";
    if (backend.run(policy) != expected) return "wrong sum in the warm-up job";
  } catch (const WorkerFailure& e) {
    return e.what();
  }
  return "";
}

// A started backend, kept across the repetitions of one benchmark: Google Benchmark calls the
// benchmark once per repetition, and starting a fork pool over a large array, with its
// children's first pass, costs seconds here. The repetitions measure one pool's steady state;
// its start is measured on its own (the launch benchmarks).
struct StartedBackend {
  std::string name;
  const SumData* data = nullptr;
  std::unique_ptr<SumWork> work;
  std::unique_ptr<Backend> backend;
  unsigned obtained = 0;
};

StartedBackend& started_backend() {
  static StartedBackend started;
  return started;
}

void drop_started_backend() {
  started_backend() = StartedBackend{};
}

// Makes, starts and warms up the backend of benchmark `name` unless it is already running.
bool start_backend(benchmark::State& state, const Variant& v, unsigned workers, std::size_t n,
                   Mapping mapping, Pin pin, const std::string& name) {
  if (started_backend().name == name) return true;
  drop_started_backend();
  StartedBackend s;
  if (!run_checked(state, [&] { s.data = &sum_data(n, mapping); })) return false;
  s.work = std::make_unique<SumWork>(*s.data);
  s.backend = v.backend->make(v.launch);
  s.backend->set_pin(pin);
  if (!run_checked(state, [&] { s.obtained = s.backend->start(*s.work, workers); })) return false;
  if (const std::string why = warm_up(*s.backend, v, s.data->expected()); !why.empty()) {
    state.SkipWithError(why.c_str());
    return false;
  }
  s.name = name;
  started_backend() = std::move(s);
  return true;
}

void run_sum(benchmark::State& state, const Variant& v, unsigned workers, std::size_t n,
             Mapping mapping, Pin pin, Registry& registry, const std::string& name) {
  if (!start_backend(state, v, workers, n, mapping, pin, name)) return;
  const StartedBackend& started = started_backend();
  Backend* backend = started.backend.get();
  const SumData* data = started.data;
  const SumWork& work = *started.work;
  const unsigned obtained = started.obtained;
  const std::uint64_t expected = data->expected();
  const double children_cpu_before = backend->children_cpu_seconds();
  std::uint64_t wrong = 0;
  bool ok = true;
  try {
    for (auto _ : state) {
      job_done();  // for the watchdog
      const std::uint64_t total = backend->run(v.policy);
      benchmark::DoNotOptimize(total);
      if (total != expected) {
        ok = false;
        wrong = total;
      }
    }
  } catch (const WorkerFailure& e) {
    drop_started_backend();  // a pool that lost a worker is not reused
    state.SkipWithError(failure_text(e).c_str());
    return;
  }
  if (!ok) {
    state.SkipWithError(
        ("wrong sum " + std::to_string(wrong) + ", expected " + std::to_string(expected)).c_str());
    return;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data->bytes()));
  registry.note(name, {{"placement", placement_note(pin, work.cpus_seen(obtained))}});
  state.counters["verified"] = 1;
  state.counters["workers_obtained"] = obtained;
  if (v.backend->reports_children_cpu)
    state.counters["children_cpu_time"] = benchmark::Counter(
        backend->children_cpu_seconds() - children_cpu_before, benchmark::Counter::kAvgIterations);
}

}  // namespace

void release_sum_data() {
  drop_started_backend();
  current_sum_data().reset();
}

void register_sum_benchmarks(const Config& config, Registry& registry) {
  const auto variants = select_variants(config, KernelKind::sum, kSumGrain);
  const auto worker_counts = workers_for(config, false);
  for (std::size_t n : config.sizes)
    for (const auto& v : variants)
      for (unsigned workers : worker_counts) {
        if (v.backend->reference && workers != worker_counts.front()) continue;
        const unsigned w = v.backend->reference ? 1 : workers;
        const nlohmann::json params = {{"kernel", "sum"},
                                       {"backend", v.backend->name},
                                       {"launch", v.launch},
                                       {"policy", v.policy.name},
                                       {"workers", w},
                                       {"size", n},
                                       {"bytes", n * sizeof(std::uint64_t)}};
        const std::string name =
            benchmark_name("sum", *v.backend, v.launch, v.policy.name,
                           "workers:" + std::to_string(w) + "/size:" + std::to_string(n));
        registry.add(
            name, params,
            [v, w, n, m = config.data_mapping, pin = parse_pin(config.pin), &registry,
             name](benchmark::State& s) { run_sum(s, v, w, n, m, pin, registry, name); },
            benchmark::kMicrosecond);
      }
}

}  // namespace parbench
