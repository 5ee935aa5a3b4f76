#pragma once
// The report: Google Benchmark's JSON, kept whole, plus params, figures and context.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "benchmarks/progress.hpp"
#include "benchmarks/suite.hpp"

namespace parbench {

// Shows Google Benchmark's table as it goes and keeps its JSON output for the report.
class TeeReporter : public benchmark::BenchmarkReporter {
 public:
  explicit TeeReporter(Progress* progress = nullptr);
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;
  std::string json_text() const { return json_text_.str(); }

 private:
  benchmark::ConsoleReporter console_;
  benchmark::JSONReporter json_;
  std::ostringstream json_text_;
  Progress* progress_;
};

// Google Benchmark's JSON with params and `verified` on every entry (matched through the
// registry) and `context` extended by `extra_context`; then the derived figures.
nlohmann::json build_report(const std::string& benchmark_json, const Registry& registry,
                            const nlohmann::json& extra_context);

// Speedup over the serial run of the same kernel and size in the same report, efficiency,
// Karp-Flatt serial fraction, and fraction of the measured read bandwidth.
void add_derived_figures(nlohmann::json& report);

// Real time of an entry in seconds, whatever its time_unit.
double real_time_seconds(const nlohmann::json& entry);

// Writes to a temporary file beside `path`, then renames it: a reader never sees half a report.
// Creates missing folders. Throws std::runtime_error naming the path and the reason.
void write_atomically(const std::string& path, const std::string& text);

}  // namespace parbench
