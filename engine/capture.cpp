#include "engine/capture.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <utility>

#include "schema/read.hpp"

namespace parbench {
namespace {

using schema::parse_benchmark_json;
using schema::utf8_or_escaped;

// Google Benchmark's JSON of `runs`; should it not parse, entries that say so, for the run
// must go on and every other benchmark be kept.
nlohmann::json entries_of(const std::vector<benchmark::BenchmarkReporter::Run>& runs,
                          const std::string& text) {
  try {
    return parse_benchmark_json(text);
  } catch (const std::exception& e) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& run : runs)
      entries.push_back(
          {{"name", utf8_or_escaped(run.benchmark_name())},
           {"run_name", utf8_or_escaped(run.run_name.str())},
           {"run_type", run.run_type == benchmark::BenchmarkReporter::Run::RT_Aggregate
                            ? "aggregate"
                            : "iteration"},
           {"repetitions", run.repetitions},
           {"error_occurred", true},
           {"error_message",
            "parbench could not read Google Benchmark's output: " + utf8_or_escaped(e.what())}});
    return entries;
  }
}

}  // namespace

nlohmann::json google_benchmark_context() {
  std::ostringstream text;
  benchmark::JSONReporter json;
  json.SetOutputStream(&text);
  json.SetErrorStream(&text);
  json.ReportContext(benchmark::BenchmarkReporter::Context());
  return parse_benchmark_json(text.str() + "]}").at("context");
}

TeeReporter::TeeReporter(Progress* progress, bool table)
    : console_(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                     : benchmark::ConsoleReporter::OO_Tabular),
      progress_(progress),
      table_(table) {
  json_.SetOutputStream(&json_text_);
  json_.SetErrorStream(&json_text_);
}

bool TeeReporter::ReportContext(const Context& context) {
  if (std::exchange(context_shown_, true)) return true;
  if (table_) {
    if (progress_ != nullptr) progress_->clear_line();
    console_.ReportContext(context);
    std::cout.flush();
  }
  return json_.ReportContext(context);
}

void TeeReporter::ReportRuns(const std::vector<Run>& runs) {
  if (table_) {
    if (progress_ != nullptr) progress_->clear_line();
    std::fflush(stderr);
    console_.ReportRuns(runs);
    std::cout.flush();
  }
  // Google Benchmark's own JSON of these runs: what its reporter writes for them, parsed.
  json_text_.str("");
  json_.ReportRuns(runs);
  std::string text = json_text_.str();
  if (text.rfind(",\n", 0) == 0) text.erase(0, 2);
  for (auto& entry : entries_of(runs, "[" + text + "]")) pending_.push_back(std::move(entry));
}

nlohmann::json TeeReporter::take_entries() {
  return std::exchange(pending_, nlohmann::json::array());
}

void TeeReporter::end() {
  if (progress_ != nullptr) progress_->end();
  if (table_) console_.Finalize();
  std::cout.flush();
}

nlohmann::json report_entries(const std::string& name, nlohmann::json entries,
                              const BenchmarkList& list) {
  const BenchmarkList::Entry* e = list.find(name);
  // A run is verified when every repetition checked its result; aggregates inherit that.
  bool verified = true;
  std::size_t last_repetition = 0;
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].value("run_type", "") == "iteration") {
      verified = verified && !entries[i].value("error_occurred", false) &&
                 entries[i].value("verified", 0.0) == 1.0;
      last_repetition = i;
    }
  const nlohmann::json* note = e != nullptr ? list.note_for(e->name) : nullptr;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto& entry = entries[i];
    if (e != nullptr) entry["params"] = e->params;
    // Notes go on every entry; the timeline and idle times (of the last job) on the last
    // repetition's only.
    if (note != nullptr)
      for (const auto& [key, value] : note->items())
        if ((key != "timeline" && key != "idle") || i == last_repetition) entry[key] = value;
    entry["verified"] = !entry.value("error_occurred", false) && verified;
  }
  return entries;
}

}  // namespace parbench
