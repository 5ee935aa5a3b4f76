#include "engine/rounds.hpp"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "engine/capture.hpp"
#include "platform/clocks.hpp"
#include "stats/statistics.hpp"

namespace parbench {

std::string to_string(Stop stop) {
  switch (stop) {
    case Stop::fixed:
      return "fixed repetitions";
    case Stop::target_met:
      return "target met";
    case Stop::max_repetitions:
      return "max repetitions";
    case Stop::benchmark_budget:
      return "benchmark budget";
    case Stop::run_budget:
      return "run budget";
    case Stop::error:
      return "error";
  }
  return "unknown";
}

namespace {

bool failed(const nlohmann::json& run) {
  return run.value("error_occurred", false);
}

std::vector<double> values_of(const std::vector<nlohmann::json>& runs, const std::string& key) {
  std::vector<double> values;
  for (const auto& run : runs)
    if (!failed(run) && run.contains(key) && run[key].is_number())
      values.push_back(run[key].get<double>());
  return values;
}

// How far the interval reaches from the median, the farther side, relative to the median.
double relative_half_width(const MedianInterval& interval, double median) {
  if (!(median > 0)) return INFINITY;
  return std::max(median - interval.low, interval.high - median) / median;
}

struct Spread {
  double median = 0;
  MedianInterval interval;
  double half_width = INFINITY;
};

std::optional<Spread> spread_of(const std::vector<nlohmann::json>& runs, double confidence) {
  const std::vector<double> times = values_of(runs, "real_time");
  const auto centre = median(times);
  const auto interval = median_interval(times, confidence);
  if (!centre || !interval) return std::nullopt;
  return Spread{*centre, *interval, relative_half_width(*interval, *centre)};
}

bool meets_target(const std::optional<Spread>& s, const Measurement& m) {
  return s && s->interval.reaches_confidence() && s->half_width <= m.target;
}

// Keys of a Google Benchmark entry that are not measured values.
const std::set<std::string>& identity_keys() {
  static const std::set<std::string> keys = {"name",
                                             "family_index",
                                             "per_family_instance_index",
                                             "run_name",
                                             "run_type",
                                             "repetitions",
                                             "repetition_index",
                                             "threads",
                                             "iterations",
                                             "time_unit",
                                             "label",
                                             "error_occurred",
                                             "error_message",
                                             "aggregate_name",
                                             "aggregate_unit"};
  return keys;
}

double mean_of(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double stddev_of(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double mean = mean_of(v);
  double squares = 0;
  for (double x : v) squares += (x - mean) * (x - mean);
  return std::sqrt(squares / static_cast<double>(v.size() - 1));
}

double statistic(const std::string& name, const std::vector<double>& v) {
  if (name == "mean") return mean_of(v);
  if (name == "median") return *median(v);
  if (name == "stddev") return stddev_of(v);
  const double mean = mean_of(v);  // cv
  return mean != 0 ? stddev_of(v) / mean : 0;
}

// Google Benchmark names a run after the settings given to it alone (an iteration count, a
// warm-up): without them, every repetition of a benchmark has its one name.
std::string without_run_settings(const std::string& name) {
  std::string out;
  std::size_t begin = 0;
  while (begin <= name.size()) {
    std::size_t end = name.find('/', begin);
    if (end == std::string::npos) end = name.size();
    const std::string part = name.substr(begin, end - begin);
    if (part.rfind("iterations:", 0) != 0 && part.rfind("min_warmup_time:", 0) != 0) {
      if (!out.empty()) out += '/';
      out += part;
    }
    begin = end + 1;
  }
  return out;
}

// Waits until no thread of this process uses a CPU (up to a tenth of a second): a runtime's
// idle workers spin for a while after a job (libgomp's, for hundreds of thousands of pauses),
// and in interleaved rounds that would fall on the next benchmark's first jobs.
void settle() {
  constexpr double kQuiet = 0.1;  // share of one CPU that counts as quiet
  constexpr double kStep = 0.001;
  const timespec step{0, static_cast<long>(kStep * 1e9)};
  for (int i = 0; i < 100; ++i) {
    const double before = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    nanosleep(&step, nullptr);
    if (clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - before < kQuiet * kStep) return;
  }
}

}  // namespace

bool needs_another(Repetitions& r, const Measurement& m, bool run_budget_spent) {
  const std::size_t n = r.runs.size();
  if (n > 0 && failed(r.runs.back())) {
    r.stopped = Stop::error;
  } else if (m.repetitions > 0) {
    if (n >= m.repetitions) r.stopped = Stop::fixed;
  } else if (n >= m.min_repetitions) {
    if (meets_target(spread_of(r.runs, m.confidence), m))
      r.stopped = Stop::target_met;
    else if (n >= m.max_repetitions)
      r.stopped = Stop::max_repetitions;
    else if (r.seconds >= m.benchmark_budget)
      r.stopped = Stop::benchmark_budget;
    else if (run_budget_spent)
      r.stopped = Stop::run_budget;
  }
  return !r.stopped.has_value();
}

nlohmann::json aggregates_of(const std::vector<nlohmann::json>& runs) {
  nlohmann::json aggregates = nlohmann::json::array();
  std::vector<const nlohmann::json*> good;
  for (const auto& run : runs)
    if (!failed(run)) good.push_back(&run);
  if (good.size() < 2) return aggregates;
  const nlohmann::json& first = *good.front();
  std::vector<std::string> measured;
  for (const auto& [key, value] : first.items())
    if (value.is_number() && identity_keys().count(key) == 0) measured.push_back(key);
  for (const std::string name : {"mean", "median", "stddev", "cv"}) {
    nlohmann::json a = {{"name", first.value("run_name", "") + "_" + name},
                        {"family_index", first.value("family_index", 0)},
                        {"per_family_instance_index", first.value("per_family_instance_index", 0)},
                        {"run_name", first.value("run_name", "")},
                        {"run_type", "aggregate"},
                        {"repetitions", runs.size()},
                        {"threads", first.value("threads", 1)},
                        {"aggregate_name", name},
                        {"aggregate_unit", name == "cv" ? "percentage" : "time"},
                        {"iterations", good.size()},
                        {"time_unit", first.value("time_unit", "ns")}};
    for (const auto& key : measured) {
      std::vector<double> values;
      for (const auto* run : good)
        if (run->contains(key) && (*run)[key].is_number()) values.push_back((*run)[key]);
      if (!values.empty()) a[key] = statistic(name, values);
    }
    aggregates.push_back(std::move(a));
  }
  return aggregates;
}

nlohmann::json measurement_record(const Repetitions& r, const Measurement& m,
                                  const std::vector<std::string>& interleaved_with) {
  nlohmann::json record = {
      {"repetitions", r.runs.size()}, {"iterations_per_repetition", r.iterations},
      {"seconds", r.seconds},         {"target", m.target},
      {"confidence", m.confidence},   {"interleaved_with", interleaved_with}};
  if (r.stopped) record["stopped_by"] = to_string(*r.stopped);
  const auto spread = spread_of(r.runs, m.confidence);
  record["decided"] = meets_target(spread, m);
  if (spread) {
    record["median_interval"] = {spread->interval.low, spread->interval.high};
    record["interval_coverage"] = spread->interval.coverage;
    if (std::isfinite(spread->half_width)) record["half_width"] = spread->half_width;
  }
  return record;
}

nlohmann::json finished_entries(const Repetitions& r, nlohmann::json record,
                                std::size_t family_index) {
  nlohmann::json entries = nlohmann::json::array();
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    nlohmann::json run = r.runs[i];
    run["family_index"] = family_index;
    run["per_family_instance_index"] = 0;
    run["repetitions"] = r.runs.size();
    run["repetition_index"] = i;
    entries.push_back(std::move(run));
  }
  const nlohmann::json aggregates = aggregates_of(entries.get<std::vector<nlohmann::json>>());
  for (const auto& a : aggregates) entries.push_back(a);
  // The record goes where a reader looks for the benchmark's value: the median, or the run.
  for (auto& e : entries)
    if (e.value("aggregate_name", "") == "median" || (aggregates.empty() && &e == &entries.back()))
      e["measurement"] = record;
  return entries;
}

std::vector<std::vector<std::string>> fair_groups(const BenchmarkList& benchmarks,
                                                  const std::vector<std::string>& names,
                                                  bool interleave) {
  std::vector<std::vector<std::string>> groups;
  std::map<std::string, std::size_t> index;  // group key -> position in groups
  for (const auto& name : names) {
    const BenchmarkList::Entry* e = benchmarks.find(name);
    const std::string key = interleave && e != nullptr ? e->group : "\n" + name;
    auto [it, added] = index.emplace(key, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(name);
  }
  return groups;
}

Rounds::Rounds(const BenchmarkList& benchmarks, const Measurement& measurement, double min_time,
               TeeReporter& reporter, Progress& progress, OnFinished on_finished)
    : benchmarks_(benchmarks),
      measurement_(measurement),
      min_time_(min_time),
      reporter_(reporter),
      progress_(progress),
      on_finished_(std::move(on_finished)),
      round_seed_(measurement.seed) {}

bool Rounds::run_budget_spent() const {
  return measurement_.run_budget > 0 &&
         clock_seconds(CLOCK_MONOTONIC) - started_ >= measurement_.run_budget;
}

void Rounds::run(const std::vector<std::string>& names) {
  started_ = clock_seconds(CLOCK_MONOTONIC);
  for (const auto& group : fair_groups(benchmarks_, names, measurement_.interleave))
    run_group(group);
}

// One repetition of `name`, its time counted against its budget.
void Rounds::repeat(const std::string& name, Repetitions& r) {
  const BenchmarkList::Entry* e = benchmarks_.find(name);
  settle();
  const double began = clock_seconds(CLOCK_MONOTONIC);
  // A benchmark's first repetition comes after untimed jobs: a pool's new workers start on
  // their creator's CPU, and until the OS has spread them a job measures the move.
  constexpr double kFirstWarmUp = 0.05;
  benchmarks_.run_once(*e, r.iterations, r.runs.empty() ? kFirstWarmUp : 0, reporter_);
  const double took = clock_seconds(CLOCK_MONOTONIC) - began;
  r.seconds += took;
  nlohmann::json runs = reporter_.take_entries();
  if (runs.empty())
    runs.push_back({{"name", name},
                    {"run_name", name},
                    {"run_type", "iteration"},
                    {"error_occurred", true},
                    {"error_message", "Google Benchmark ran nothing"}});
  for (auto& run : runs) {
    for (const char* key : {"name", "run_name"})
      if (run.contains(key) && run[key].is_string()) run[key] = without_run_settings(run[key]);
    if (r.iterations == 0 && !failed(run)) r.iterations = run.value("iterations", 0);
    r.runs.push_back(std::move(run));
  }
  // A count found when jobs were fast would make every later repetition last long.
  constexpr double kTooLong = 5;
  if (r.runs.size() > 1 && r.iterations > 1 && took > kTooLong * min_time_) r.iterations = 0;
}

void Rounds::run_group(const std::vector<std::string>& group) {
  std::map<std::string, Repetitions> repetitions;
  std::vector<std::string> active = group;
  // One generator per group, from the run's seed and the group's place: a group's order can
  // be reproduced without running the groups before it.
  std::mt19937_64 order(round_seed_++);
  while (!active.empty()) {
    std::shuffle(active.begin(), active.end(), order);
    std::vector<std::string> still;
    for (const auto& name : active) {
      Repetitions& r = repetitions[name];
      repeat(name, r);
      if (needs_another(r, measurement_, run_budget_spent())) {
        progress_.repeated(name, static_cast<unsigned>(r.runs.size()));
        still.push_back(name);
        continue;
      }
      std::vector<std::string> others;
      for (const auto& other : group)
        if (other != name) others.push_back(other);
      const BenchmarkList::Entry* e = benchmarks_.find(name);
      const auto family = static_cast<std::size_t>(e - benchmarks_.entries().data());
      on_finished_(name, finished_entries(r, measurement_record(r, measurement_, others), family));
      progress_.finished(name);
    }
    active = std::move(still);
  }
  group_cache().clear();  // what the group's benchmarks kept across their repetitions
}

}  // namespace parbench
