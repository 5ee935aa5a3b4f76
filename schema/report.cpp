#include "schema/report.hpp"

#include <algorithm>
#include <map>
#include <variant>

namespace parbench::schema {

namespace {

using nlohmann::json;

std::string where(std::size_t index, const json& entry) {
  std::string text = "benchmarks[" + std::to_string(index) + "]";
  if (const auto it = entry.find("name"); it != entry.end() && it->is_string())
    text += " ('" + it->get<std::string>() + "')";
  return text;
}

// Field `key` must be absent or of the given kind; returns it if present.
const json* optional_field(const json& entry, const char* key, json::value_t kind,
                           const char* kind_name, std::size_t index) {
  const auto it = entry.find(key);
  if (it == entry.end()) return nullptr;
  const bool ok =
      kind == json::value_t::number_float ? it->is_number() || it->is_null() : it->type() == kind;
  if (!ok)
    throw InputError(where(index, entry) + ": '" + key + "' is " + type_name(*it) + ", not " +
                     kind_name);
  return &*it;
}

double seconds_per(const std::string& unit, std::size_t index, const json& entry) {
  if (unit == "ns") return 1e-9;
  if (unit == "us") return 1e-6;
  if (unit == "ms") return 1e-3;
  if (unit == "s") return 1;
  throw InputError(where(index, entry) + ": unknown time_unit '" + unit +
                   "' (known: ns, us, ms, s)");
}

}  // namespace

Entry read_entry(const json& item, std::size_t index) {
  if (!item.is_object())
    throw InputError("benchmarks[" + std::to_string(index) + "] is " + type_name(item) +
                     ", not an object");
  Entry e;
  const json* name = optional_field(item, "name", json::value_t::string, "a string", index);
  if (!name) throw InputError(where(index, item) + ": no 'name'");
  e.name = name->get<std::string>();
  if (const json* params =
          optional_field(item, "params", json::value_t::object, "an object", index))
    e.params = *params;
  if (const json* run_type =
          optional_field(item, "run_type", json::value_t::string, "a string", index))
    e.aggregate = run_type->get<std::string>() == "aggregate";
  if (const json* aggregate =
          optional_field(item, "aggregate_name", json::value_t::string, "a string", index)) {
    e.aggregate_name = aggregate->get<std::string>();
    // Google Benchmark before run_type: an aggregate is known by its aggregate_name.
    if (!item.contains("run_type")) e.aggregate = true;
  }
  if (const json* run_name =
          optional_field(item, "run_name", json::value_t::string, "a string", index)) {
    e.run_name = run_name->get<std::string>();
  } else {
    e.run_name = e.name;
    const std::string suffix = "_" + e.aggregate_name;
    if (e.aggregate && !e.aggregate_name.empty() && e.name.size() > suffix.size() &&
        e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) == 0)
      e.run_name.resize(e.name.size() - suffix.size());
  }
  for (const char* flag : {"error_occurred", "skipped"})
    if (const json* set =
            optional_field(item, flag, json::value_t::boolean, "true or false", index))
      e.error = e.error || set->get<bool>();
  for (const char* message : {"error_message", "skip_message"})
    if (const json* text = optional_field(item, message, json::value_t::string, "a string", index))
      if (e.error_message.empty()) e.error_message = text->get<std::string>();
  if (e.error && e.error_message.empty()) e.error_message = "error";
  if (const json* unit =
          optional_field(item, "time_unit", json::value_t::string, "a string", index))
    e.seconds_per_unit = seconds_per(unit->get<std::string>(), index, item);
  for (const char* time : {"real_time", "cpu_time"})
    optional_field(item, time, json::value_t::number_float, "a number", index);
  e.fields = item;
  return e;
}

namespace {

// `complete`, `interrupted` and `not_run` of a context (reports/SCHEMA.md). A report without
// `complete` is older than the key, and was only ever written when the run had finished.
Completeness read_completeness(const json& context) {
  Completeness c;
  if (const auto it = context.find("complete"); it != context.end()) {
    if (!it->is_boolean())
      throw InputError("'context.complete' is " + type_name(*it) + ", not true or false");
    c.complete = it->get<bool>();
  }
  if (const auto it = context.find("interrupted"); it != context.end() && !it->is_null()) {
    if (!it->is_string())
      throw InputError("'context.interrupted' is " + type_name(*it) + ", not a string or null");
    c.interrupted = printable(it->get<std::string>());
  }
  if (const auto it = context.find("not_run"); it != context.end()) {
    const bool names = it->is_array() && std::all_of(it->begin(), it->end(),
                                                     [](const json& n) { return n.is_string(); });
    if (!names)
      throw InputError("'context.not_run' is " + type_name(*it) +
                       ", not an array of benchmark names");
    c.not_run = it->size();
  }
  return c;
}

Report report_from(ReportContents contents, const std::string& path) {
  if (contents.benchmarks.empty())
    throw InputError("no benchmarks: the 'benchmarks' array is empty");
  Report report;
  report.path = path;
  report.context = std::move(contents.context);
  report.completeness = read_completeness(report.context);
  report.registry = read_registry(report.context);
  report.entries.reserve(contents.benchmarks.size());
  for (std::size_t i = 0; i < contents.benchmarks.size(); ++i)
    report.entries.push_back(read_entry(contents.benchmarks[i], i));
  return report;
}

// A finished benchmark's entries, checked as a report's are.
std::vector<Entry> entries_of(const JournalBenchmark& benchmark) {
  std::vector<Entry> out;
  for (std::size_t i = 0; i < benchmark.entries.size(); ++i) try {
      out.push_back(read_entry(benchmark.entries[i], i));
    } catch (const InputError& e) {
      std::string what = e.what();  // read_entry names the place as in a report
      if (what.rfind("benchmarks[", 0) == 0) what.replace(0, 10, "entries");
      throw InputError("journal line " + std::to_string(benchmark.line) + ": " + what);
    }
  return out;
}

// The report a journal will become: the last session header's context, marked incomplete, and
// every finished benchmark's entries in order, a benchmark written twice (a resumed run ran it
// again) counting once, with its later entries.
Report report_from(JournalContents journal, const std::string& path) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<Entry>> finished;
  for (const JournalBenchmark& benchmark : journal.benchmarks) {
    if (!finished.count(benchmark.name)) order.push_back(benchmark.name);
    finished[benchmark.name] = entries_of(benchmark);
  }
  Report report;
  report.path = path;
  for (const auto& name : order)
    for (auto& entry : finished[name]) report.entries.push_back(std::move(entry));
  if (report.entries.empty())
    throw InputError("a journal of an unfinished run in which no benchmark has finished yet");
  report.context = std::move(journal.sessions.back()["session"]);
  report.context["complete"] = false;
  report.context["journal"] = true;
  report.completeness = read_completeness(report.context);
  report.registry = read_registry(report.context);
  report.completeness.journal = true;
  report.completeness.finished = order.size();
  return report;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Report parse_report(std::string_view text, const std::string& path) {
  return std::visit([&](auto&& contents) { return report_from(std::move(contents), path); },
                    parse_contents(text));
}

Report read_report(const std::string& path, std::size_t max_bytes) {
  return parse_report(read_report_text(path, max_bytes), path);
}

std::optional<std::string> completeness_note(const std::string& path, const Completeness& c) {
  if (c.journal)
    return path + " is a journal of an unfinished run (" +
           plural(c.finished, "benchmark", "benchmarks") + " finished)";
  if (c.complete) return std::nullopt;
  std::string note = path + " is incomplete";
  if (c.not_run) note += ": " + plural(*c.not_run, "benchmark", "benchmarks") + " not run";
  if (c.interrupted)
    note += *c.interrupted == "timeout" ? " (stopped by its timeout)"
                                        : " (interrupted by " + *c.interrupted + ")";
  return note;
}

}  // namespace parbench::schema
