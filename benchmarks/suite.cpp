#include "benchmarks/suite.hpp"

#include <algorithm>
#include <memory>

#include "benchmarks/supervisor.hpp"

namespace parbench {

namespace {

// The params that say what is measured, without how: the backend, its launch and its policy.
std::string group_of(nlohmann::json params) {
  for (const char* how : {"backend", "launch", "policy"}) params.erase(how);
  return params.dump();
}

benchmark::internal::Benchmark* register_with_google_benchmark(const Registry::Entry& e) {
  return benchmark::RegisterBenchmark(e.name.c_str(),
                                      [name = e.name, body = e.body](benchmark::State& s) {
                                        benchmark_begins(name);
                                        body(s);
                                        benchmark_ends();
                                      })
      ->UseRealTime()
      ->MeasureProcessCPUTime()
      ->Unit(e.unit);
}

}  // namespace

void Registry::add(const std::string& name, nlohmann::json params, Body body,
                   benchmark::TimeUnit unit, std::string group) {
  if (group.empty()) group = group_of(params);
  index_[name] = entries_.size();
  entries_.push_back({name, std::move(params), std::move(body), unit, std::move(group)});
}

Kept& kept() {
  static Kept k;
  return k;
}

void Registry::run_once(const Entry& e, benchmark::IterationCount iterations,
                        double warm_up_seconds, benchmark::BenchmarkReporter& reporter) const {
  benchmark::ClearRegisteredBenchmarks();
  auto* b = register_with_google_benchmark(e);
  if (iterations > 0) b->Iterations(iterations);
  if (warm_up_seconds > 0) b->MinWarmUpTime(warm_up_seconds);
  benchmark::RunSpecifiedBenchmarks(&reporter, "all");
}

void Registry::register_all() const {
  benchmark::ClearRegisteredBenchmarks();
  for (const auto& e : entries_) register_with_google_benchmark(e);
}

const Registry::Entry* Registry::find(const std::string& name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
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
      // The reference has one way to run; a policy filter never leaves it out.
      if (info.reference) wanted = {names.front().name};
      for (const auto& text : wanted) try {
          out.push_back({&info, launch, parse_policy(info, kernel, text, default_grain)});
        } catch (const std::invalid_argument&) {
          // Not one of this backend's policies: validation made sure some backend has it.
        }
    }
  }
  return out;
}

nlohmann::json placement_note(Pin pin, const std::vector<int>& cpus_seen) {
  return {{"pin", to_string(pin)}, {"cpu_of_worker", cpus_seen}};
}

std::string failure_text(const std::exception& e) {
  const std::string verdict = take_watchdog_verdict();
  return verdict.empty() ? e.what() : verdict + " (" + e.what() + ")";
}

bool run_checked(benchmark::State& state, const std::function<void()>& job) {
  try {
    job();
    return true;
  } catch (const WorkerFailure& e) {
    state.SkipWithError(failure_text(e).c_str());
  } catch (const std::bad_alloc&) {
    state.SkipWithError("out of memory");
  }
  return false;
}

}  // namespace parbench
