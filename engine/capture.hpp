#pragma once
// The capture of Google Benchmark's runs: each repetition as Google Benchmark's own JSON
// reporter writes it, made report entries with what the benchmark list knows of them.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "engine/benchmark_list.hpp"
#include "engine/progress.hpp"

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

// A benchmark's entries made report entries: params and notes from the benchmark list (found by the
// name it was registered under), `verified`.
nlohmann::json report_entries(const std::string& name, nlohmann::json entries,
                              const BenchmarkList& list);

}  // namespace parbench
