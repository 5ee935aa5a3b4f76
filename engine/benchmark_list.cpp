#include "engine/benchmark_list.hpp"

#include <algorithm>
#include <memory>

#include "backends/backend.hpp"
#include "engine/supervisor.hpp"

namespace parbench {

namespace {

// The params that say what is measured, without how: the backend, its launch and its policy.
std::string group_of(nlohmann::json params) {
  for (const char* how : {"backend", "launch", "policy"}) params.erase(how);
  return params.dump();
}

benchmark::internal::Benchmark* register_with_google_benchmark(const BenchmarkList::Entry& e) {
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

void BenchmarkList::add(const std::string& name, nlohmann::json params, Body body,
                        benchmark::TimeUnit unit, std::string group) {
  if (group.empty()) group = group_of(params);
  index_[name] = entries_.size();
  entries_.push_back({name, std::move(params), std::move(body), unit, std::move(group)});
}

GroupCache& group_cache() {
  static GroupCache cache;
  return cache;
}

void BenchmarkList::run_once(const Entry& e, benchmark::IterationCount iterations,
                             double warm_up_seconds, benchmark::BenchmarkReporter& reporter) const {
  benchmark::ClearRegisteredBenchmarks();
  auto* b = register_with_google_benchmark(e);
  if (iterations > 0) b->Iterations(iterations);
  if (warm_up_seconds > 0) b->MinWarmUpTime(warm_up_seconds);
  benchmark::RunSpecifiedBenchmarks(&reporter, "all");
}

void BenchmarkList::register_all() const {
  benchmark::ClearRegisteredBenchmarks();
  for (const auto& e : entries_) register_with_google_benchmark(e);
}

const BenchmarkList::Entry* BenchmarkList::find(const std::string& name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

std::string failure_text(const std::exception& e) {
  const std::optional<std::string> verdict = take_watchdog_verdict();
  return verdict ? *verdict + " (" + e.what() + ")" : e.what();
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
