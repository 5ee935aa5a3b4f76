#pragma once
// The report's results: each finished benchmark's entries (Google Benchmark's JSON, with params
// and verified), kept as they finish and journalled at once, and the figures derived from them.
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "report/journal.hpp"

namespace parbench {

// The run's finished benchmarks, shared by the benchmark thread (which adds them) and the
// supervisor (which may end the run): each is in the journal before add() returns.
class Results {
 public:
  // `references`: the backends every speedup is against (reference_backends()).
  Results(Journal* journal, std::set<std::string> references)
      : journal_(journal), references_(std::move(references)) {}
  // The ceiling the figures of benchmarks added from now on are fractions of.
  void set_read_bandwidth(double bytes_per_second) { read_bandwidth_ = bytes_per_second; }
  // Appends to the journal (saying once on stderr if it cannot) and keeps it, with its figures
  // derived against what is known so far.
  const FinishedBenchmark& add(FinishedBenchmark b);
  // One that finished in an earlier session of a resumed run, already in the journal.
  void add_loaded(FinishedBenchmark b);
  std::size_t size() const { return benchmarks_.size(); }
  bool finished(const std::string& name) const;
  // The report's "benchmarks", with every derived figure.
  nlohmann::json entries(double read_bandwidth) const;
  // Held while the run is being ended early, so that no benchmark is added meanwhile.
  std::mutex& lock() { return lock_; }
  const Journal* journal() const { return journal_; }

 private:
  Journal* journal_;
  std::set<std::string> references_;
  double read_bandwidth_ = 0;
  bool warned_ = false;
  std::vector<FinishedBenchmark> benchmarks_;
  std::set<std::string> names_;
  std::map<std::string, double> serial_;
  std::mutex lock_;
};

// The reference backend of a report's context, as the schema reads its registry of backends
// (context.backends; serial for a report older than that key). InputError for a bad registry.
std::set<std::string> reference_backends(const nlohmann::json& context);

// Speedup over the serial run of the same kernel and size in the same report, efficiency,
// Karp-Flatt serial fraction, and fraction of the measured read bandwidth.
void add_derived_figures(nlohmann::json& report);

// Every number that is not a whole one, written with `digits` significant digits: a run's clock
// counts nanoseconds over at most seconds, so digits past the ninth are noise, and a full report
// is a third smaller for it.
void round_numbers(nlohmann::json& value, int digits = 9);

// Real time of an entry in seconds, whatever its time_unit.
double real_time_seconds(const nlohmann::json& entry);

}  // namespace parbench
