#pragma once
// The measurement engine: how many repetitions each benchmark gets, and in which order.
//
// Benchmarks that measure the same piece of work in different ways (a group: the same kernel,
// size or task set and worker count, on every backend and policy) run in rounds: each round
// runs one repetition of every member still undecided, in a shuffled order, so that a slow
// spell of the host falls on all of them alike. A benchmark stops repeating once the 95%
// confidence interval of its median (order statistics, stats/statistics.hpp) is within the
// target, or when it has spent its budget, marked undecided with the interval it reached.
// Google Benchmark finds the iteration count in a benchmark's first repetition; later ones
// reuse it, unless a repetition took several times as long as it should (the host slowed
// down): the next one finds it again. It computes aggregates only for repetitions it runs in one
// go, so they are made here, in its JSON shape.
#include <benchmark/benchmark.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/benchmark_list.hpp"
#include "engine/measurement.hpp"
#include "engine/progress.hpp"

namespace parbench {

class TeeReporter;

// Why a benchmark's repetitions stopped.
enum class Stop { fixed, target_met, max_repetitions, benchmark_budget, run_budget, error };
std::string to_string(Stop stop);

// A benchmark's repetitions so far, and the decision on them.
struct Repetitions {
  std::vector<nlohmann::json> runs;          // Google Benchmark's entries, in the order run
  benchmark::IterationCount iterations = 0;  // found in the first repetition, then reused
  double seconds = 0;                        // spent on them, set-up included
  std::optional<Stop> stopped;
};

// Whether `r` needs another repetition; when it does not, `r.stopped` says why.
bool needs_another(Repetitions& r, const Measurement& m, bool run_budget_spent);

// Mean, median, stddev and cv of the successful repetitions (none for fewer than two), as
// Google Benchmark's JSON writes its aggregates.
nlohmann::json aggregates_of(const std::vector<nlohmann::json>& runs);

// How a benchmark was measured: its repetitions, the interval of its median (in its time
// unit) and whether it met the target, what stopped it, the benchmarks interleaved with it.
nlohmann::json measurement_record(const Repetitions& r, const Measurement& m,
                                  const std::vector<std::string>& interleaved_with);

// A finished benchmark's report entries: its repetitions numbered in the order they ran, its
// aggregates, and the measurement record on the median (on the run, for a single one).
nlohmann::json finished_entries(const Repetitions& r, nlohmann::json record,
                                std::size_t family_index);

// The benchmarks of `names` in groups whose repetitions run in rounds, in the order their
// first members were registered; one benchmark per group without `interleave`.
std::vector<std::vector<std::string>> fair_groups(const BenchmarkList& benchmarks,
                                                  const std::vector<std::string>& names,
                                                  bool interleave);

// Runs `names` group by group, handing each benchmark's entries over as soon as it is decided.
class Rounds {
 public:
  using OnFinished = std::function<void(const std::string& name, nlohmann::json entries)>;
  // `min_time`: the seconds Google Benchmark fills a repetition with.
  Rounds(const BenchmarkList& benchmarks, const Measurement& measurement, double min_time,
         TeeReporter& reporter, Progress& progress, OnFinished on_finished);
  void run(const std::vector<std::string>& names);

 private:
  void run_group(const std::vector<std::string>& group);
  void repeat(const std::string& name, Repetitions& r);
  bool run_budget_spent() const;

  const BenchmarkList& benchmarks_;
  Measurement measurement_;
  double min_time_;
  TeeReporter& reporter_;
  Progress& progress_;
  OnFinished on_finished_;
  double started_ = 0;
  std::uint64_t round_seed_;
};

}  // namespace parbench
