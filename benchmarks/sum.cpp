// The big sum: how close each backend and split get to the machine's read bandwidth.
#include <memory>

#include "benchmarks/suite.hpp"
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

void run_sum(benchmark::State& state, const Variant& v, unsigned workers, std::size_t n,
             Mapping mapping, Pin pin, Registry& registry, const std::string& name) {
  const SumData* data = nullptr;
  if (!run_checked(state, [&] { data = &sum_data(n, mapping); })) return;
  const SumWork work(*data);
  const std::uint64_t expected = data->expected();
  std::unique_ptr<Backend> backend = v.backend->make(v.launch);
  backend->set_pin(pin);
  unsigned obtained = 0;
  if (!run_checked(state, [&] { obtained = backend->start(work, workers); })) return;
  // One untimed job: a pool's forked children fault their page tables for the array in at
  // their first touch (about 2x slower for 1 GiB here); that is set-up, not the steady state.
  try {
    if (backend->run(v.policy) != expected) {
      state.SkipWithError("wrong sum in the warm-up job");
      return;
    }
  } catch (const WorkerFailure& e) {
    state.SkipWithError(e.what());
    return;
  }
  const double children_cpu_before = backend->children_cpu_seconds();
  std::uint64_t wrong = 0;
  bool ok = true;
  try {
    for (auto _ : state) {
      const std::uint64_t total = backend->run(v.policy);
      benchmark::DoNotOptimize(total);
      if (total != expected) {
        ok = false;
        wrong = total;
      }
    }
  } catch (const WorkerFailure& e) {
    state.SkipWithError(e.what());
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
  if (v.backend->name == "fork")
    state.counters["children_cpu_time"] = benchmark::Counter(
        backend->children_cpu_seconds() - children_cpu_before, benchmark::Counter::kAvgIterations);
}

}  // namespace

void release_sum_data() {
  current_sum_data().reset();
}

void register_sum_benchmarks(const Config& config, Registry& registry) {
  const auto variants = select_variants(config, KernelKind::sum, kSumGrain);
  const auto worker_counts = workers_for(config, false);
  for (std::size_t n : config.sizes)
    for (const auto& v : variants)
      for (unsigned workers : worker_counts) {
        if (v.backend->name == "serial" && workers != worker_counts.front()) continue;
        const unsigned w = v.backend->name == "serial" ? 1 : workers;
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
        registry
            .add(name, params,
                 [v, w, n, m = config.data_mapping, pin = parse_pin(config.pin), &registry,
                  name](benchmark::State& s) { run_sum(s, v, w, n, m, pin, registry, name); })
            ->Unit(benchmark::kMicrosecond);
      }
}

}  // namespace parbench
