#include "benchmarks/suite.hpp"

#include <algorithm>
#include <memory>

#include "kernels/sum.hpp"

namespace parbench {

benchmark::internal::Benchmark* Registry::add(const std::string& name, nlohmann::json params,
                                              std::function<void(benchmark::State&)> body) {
  entries_.push_back({name, std::move(params)});
  return benchmark::RegisterBenchmark(name.c_str(),
                                      [body = std::move(body)](benchmark::State& s) { body(s); })
      ->UseRealTime()
      ->MeasureProcessCPUTime();
}

const Registry::Entry* Registry::find(const std::string& run_name) const {
  for (const auto& e : entries_)
    if (run_name == e.name ||
        (run_name.size() > e.name.size() && run_name.compare(0, e.name.size(), e.name) == 0 &&
         run_name[e.name.size()] == '/'))
      return &e;
  return nullptr;
}

std::string benchmark_name(const std::string& kernel, const BackendInfo& backend,
                           const std::string& launch, const std::string& policy,
                           const std::string& tail) {
  std::string name = kernel + "/" + backend.name;
  if (backend.launches.size() > 1) name += "/" + launch;
  return name + "/" + policy + "/" + tail;
}

std::vector<Variant> select_variants(const Config& config, KernelKind kernel,
                                     std::size_t default_grain) {
  std::vector<Variant> out;
  for (const auto& info : backends()) {
    if (std::find(config.backends.begin(), config.backends.end(), info.name) ==
        config.backends.end())
      continue;
    for (const auto& launch : info.launches) {
      if (!config.launches.empty() && info.launches.size() > 1 &&
          std::find(config.launches.begin(), config.launches.end(), launch) ==
              config.launches.end())
        continue;
      const auto& names = kernel == KernelKind::sum ? info.sum_policies : info.task_policies;
      std::vector<std::string> wanted = config.policies;
      if (wanted.empty())
        for (const auto& p : names) wanted.push_back(p.name);
      // The serial backend has one way to run; a policy filter never leaves it out.
      if (info.name == "serial") wanted = {names.front().name};
      for (const auto& text : wanted) try {
          out.push_back({&info, launch, parse_policy(info, kernel, text, default_grain)});
        } catch (const std::invalid_argument&) {
          // Not one of this backend's policies: validation made sure some backend has it.
        }
    }
  }
  return out;
}

bool run_checked(benchmark::State& state, const std::function<void()>& job) {
  try {
    job();
    return true;
  } catch (const WorkerFailure& e) {
    state.SkipWithError(e.what());
  } catch (const std::bad_alloc&) {
    state.SkipWithError("out of memory");
  }
  return false;
}

namespace {

constexpr std::size_t kSumGrain = 1 << 16;  // 512 KiB pieces for the dynamic policies

// One array at a time: benchmarks are registered size by size, so each is made once.
const SumData& sum_data(std::size_t n, Mapping mapping) {
  static std::unique_ptr<SumData> current;
  if (!current || current->size() != n) {
    current.reset();
    current = std::make_unique<SumData>(n, mapping);
  }
  return *current;
}

void run_sum(benchmark::State& state, const Variant& v, unsigned workers, std::size_t n,
             Mapping mapping) {
  const SumData* data = nullptr;
  if (!run_checked(state, [&] { data = &sum_data(n, mapping); })) return;
  const SumWork work(*data);
  const std::uint64_t expected = data->expected();
  std::unique_ptr<Backend> backend = v.backend->make(v.launch);
  unsigned obtained = 0;
  if (!run_checked(state, [&] { obtained = backend->start(work, workers); })) return;
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
  state.counters["verified"] = 1;
  state.counters["workers_obtained"] = obtained;
  if (v.backend->name == "fork")
    state.counters["children_cpu_time"] = benchmark::Counter(
        backend->children_cpu_seconds() - children_cpu_before, benchmark::Counter::kAvgIterations);
}

}  // namespace

void register_sum_benchmarks(const Config& config, Registry& registry) {
  const auto variants = select_variants(config, KernelKind::sum, kSumGrain);
  for (std::size_t n : config.sizes)
    for (const auto& v : variants)
      for (unsigned workers : config.workers) {
        if (v.backend->name == "serial" && workers != config.workers.front()) continue;
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
            .add(
                name, params,
                [v, w, n, m = config.data_mapping](benchmark::State& s) { run_sum(s, v, w, n, m); })
            ->Unit(benchmark::kMicrosecond);
      }
}

}  // namespace parbench
