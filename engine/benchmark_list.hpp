#pragma once
// The run's list of benchmarks: each one's name, params, body and group, handed to Google
// Benchmark one repetition at a time, so that the report never has to parse a name.
#include <benchmark/benchmark.h>

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace parbench {

class BenchmarkList {
 public:
  using Body = std::function<void(benchmark::State&)>;
  struct Entry {
    std::string name;
    nlohmann::json params;
    Body body;
    benchmark::TimeUnit unit = benchmark::kMicrosecond;
    // Benchmarks of one group measure the same piece of work in different ways: their
    // repetitions run in interleaved rounds (engine/rounds.hpp).
    std::string group;
  };

  // Adds one benchmark measured in wall time (the work is parallel) and in the CPU time of the
  // whole process (all its threads). Its group is `group`, or else its params without the
  // backend, launch and policy: the same kernel, size or task set and worker count.
  void add(const std::string& name, nlohmann::json params, Body body, benchmark::TimeUnit unit,
           std::string group = "");
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<std::string> names() const {
    std::vector<std::string> n;
    for (const auto& e : entries_) n.push_back(e.name);
    return n;
  }

  // Google Benchmark is handed one benchmark at a time, so that the rounds decide the order and
  // the number of repetitions: one repetition of `e`, with `iterations` (0: Google Benchmark
  // finds how many fill --benchmark_min_time), after untimed jobs for `warm_up_seconds`. Its
  // run goes to `reporter`.
  void run_once(const Entry& e, benchmark::IterationCount iterations, double warm_up_seconds,
                benchmark::BenchmarkReporter& reporter) const;
  // Every benchmark registered with Google Benchmark at once, for --benchmark_list_tests.
  void register_all() const;

  // What a benchmark learnt that is no number (a timeline, how a prediction was made): kept
  // by name, the last call's wins, and merged into the report.
  void note(const std::string& name, nlohmann::json facts) { notes_[name] = std::move(facts); }
  const nlohmann::json* note_for(const std::string& name) const {
    auto it = notes_.find(name);
    return it == notes_.end() ? nullptr : &it->second;
  }
  // The entry registered under `name`, or null.
  const Entry* find(const std::string& name) const;

 private:
  std::vector<Entry> entries_;
  std::map<std::string, std::size_t> index_;  // name -> position in entries_
  std::map<std::string, nlohmann::json> notes_;
};

// What the benchmarks of one group keep across their repetitions (a started backend with its
// work), by benchmark name, as long as the rounds of that group run: a started pool's workers
// settle on their CPUs once, and the repetitions measure its steady state. A benchmark of
// another group empties it, and so do the rounds when a group ends.
//
// It is one for the process because Google Benchmark calls a benchmark's body once per
// repetition, and the body keeps nothing between calls. What it keeps is of the suites' own
// types, which the engine that empties it does not know: so each thing is held type-erased, and
// read back only as the type it was made as.
class GroupCache {
 public:
  // The thing kept for benchmark `name` of group `group`, made by `make` the first time. Throws
  // std::logic_error if it was made as another type.
  template <class T>
  T& get(const std::string& group, const std::string& name,
         const std::function<std::unique_ptr<T>()>& make) {
    if (group != group_) clear();
    group_ = group;
    auto it = kept_.find(name);
    if (it == kept_.end()) it = kept_.emplace(name, std::shared_ptr<T>(make())).first;
    auto* thing = std::any_cast<std::shared_ptr<T>>(&it->second);
    if (thing == nullptr)
      throw std::logic_error(name + ": kept across its repetitions as another type");
    return **thing;
  }
  // Drops what `name` kept (a pool that lost a worker is not reused).
  void drop(const std::string& name) { kept_.erase(name); }
  void clear() {
    kept_.clear();
    group_.clear();
  }

 private:
  std::string group_;
  std::map<std::string, std::any> kept_;  // each a std::shared_ptr<T>, by benchmark name
};
GroupCache& group_cache();

// A failure as the benchmark's error says it, with the watchdog's verdict if it ended the job.
std::string failure_text(const std::exception& e);

// Runs `job` and turns a worker's death into the benchmark's error; false if it failed.
bool run_checked(benchmark::State& state, const std::function<void()>& job);

}  // namespace parbench
