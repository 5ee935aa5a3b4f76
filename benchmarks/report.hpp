#pragma once
// The report: Google Benchmark's JSON entries, each with params, verified and derived figures,
// made benchmark by benchmark as Google Benchmark hands over the runs, and a context that makes
// it reproducible.
#include <benchmark/benchmark.h>

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "benchmarks/journal.hpp"
#include "benchmarks/progress.hpp"
#include "benchmarks/suite.hpp"

namespace parbench {

// Shows Google Benchmark's table as it goes and keeps each run in Google Benchmark's own JSON
// form until the rounds take it. Google Benchmark is called once per repetition: its context
// is shown once, and the table ends when the rounds end.
class TeeReporter : public benchmark::BenchmarkReporter {
 public:
  // `table`: show Google Benchmark's table of every repetition (else nothing is shown here).
  TeeReporter(Progress* progress, bool table);
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override {}
  // The entries of the runs reported since the last call.
  nlohmann::json take_entries();
  void end();

 private:
  benchmark::ConsoleReporter console_;
  benchmark::JSONReporter json_;
  std::ostringstream json_text_;
  Progress* progress_;
  bool table_;
  bool context_shown_ = false;
  nlohmann::json pending_ = nlohmann::json::array();
};

// Google Benchmark's "context" object for this process, as its JSON reporter writes it.
nlohmann::json google_benchmark_context();

// Parses JSON written by Google Benchmark: bare NaN and infinities become null, bytes that are
// not UTF-8 are kept as \xNN text.
nlohmann::json parse_benchmark_json(const std::string& text);

// `text` if it is UTF-8, else the same with each stray byte as the four characters \xNN.
std::string utf8_or_escaped(std::string_view text);

// A benchmark's entries made report entries: params and notes from the registry (found by the
// name it was registered under), `verified`.
FinishedBenchmark finish_benchmark(const std::string& name, nlohmann::json entries,
                                   const Registry& registry);

// The run's finished benchmarks, shared by the benchmark thread (which adds them) and the
// supervisor (which may end the run): each is in the journal before add() returns.
class Results {
 public:
  explicit Results(Journal* journal) : journal_(journal) {}
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
  double read_bandwidth_ = 0;
  bool warned_ = false;
  std::vector<FinishedBenchmark> benchmarks_;
  std::set<std::string> names_;
  std::map<std::string, double> serial_;
  std::mutex lock_;
};

// Speedup over the serial run of the same kernel and size in the same report, efficiency,
// Karp-Flatt serial fraction, and fraction of the measured read bandwidth.
void add_derived_figures(nlohmann::json& report);

// Every number that is not a whole one, written with `digits` significant digits: a run's clock
// counts nanoseconds over at most seconds, so digits past the ninth are noise, and a full report
// is a third smaller for it.
void round_numbers(nlohmann::json& value, int digits = 9);

// Real time of an entry in seconds, whatever its time_unit.
double real_time_seconds(const nlohmann::json& entry);

// Writes to a temporary file beside `path`, then renames it: a reader never sees half a report,
// and a file already at `path` stays as it was unless the whole new one is written. Creates
// missing folders. Throws std::runtime_error naming the path and the reason.
void write_atomically(const std::string& path, const std::string& text);

}  // namespace parbench
