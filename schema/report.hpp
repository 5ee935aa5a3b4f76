#pragma once
// A parbench report (complete or not, or the journal of an unfinished run), or any Google
// Benchmark JSON output, read into typed entries, its completeness and its registry of
// backends, so that no reader (parbench-compare, the findings) looks at the JSON's shape again.
// Files, JSON and journals are split by read.hpp; this gives what they hold their types.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/read.hpp"
#include "schema/registry.hpp"

namespace parbench::schema {

// One entry of `benchmarks`, its fields checked for their types.
struct Entry {
  std::string name;      // "name" as written
  std::string run_name;  // "run_name", or the name less an aggregate's "_<aggregate_name>"
  std::optional<nlohmann::json> params;  // parbench's params object; absent in plain GB JSON
  bool aggregate = false;                // run_type "aggregate" (mean, median, stddev, cv, ...)
  std::string aggregate_name;
  bool error = false;  // error_occurred or skipped: its numbers are not used
  std::string error_message;
  double seconds_per_unit = 1e-9;  // of real_time and cpu_time, from time_unit
  nlohmann::json fields;           // the entry as read (non-finite numbers read as null)
};

// The entry benchmarks[index] of a report, its fields checked: InputError (naming the place)
// for one that is not an object, has no string name, a field of the wrong type or an unknown
// time_unit.
Entry read_entry(const nlohmann::json& item, std::size_t index);

// Whether a report holds the whole run. parbench writes an incomplete report when it is
// interrupted (SIGINT, SIGTERM, SIGHUP, a timeout), and a journal (<report>.partial) while it
// runs; both are read, and the user is told once that the run is unfinished.
struct Completeness {
  bool complete = true;                    // context.complete; absent in older reports
  bool journal = false;                    // read from a journal of an unfinished run
  std::optional<std::string> interrupted;  // context.interrupted: "SIGINT", "timeout", ...
  std::optional<std::size_t> not_run;      // how many context.not_run lists, when it lists them
  std::size_t finished = 0;                // a journal's finished benchmarks
};

struct Report {
  std::string path;
  nlohmann::json context = nlohmann::json::object();
  std::vector<Entry> entries;
  Completeness completeness;
  // context.backends, or for a report older than that key registry_before_context_backends().
  ReportedBackends registry;
};

// Parses the text of a report, or of a parbench journal (JSON Lines whose first line is a
// session header {"parbench_journal": 1, ...}): a journal reads as the report it will become,
// its context the last session header's plus "complete": false and "journal": true.
// Throws InputError for anything that is not a usable report: not JSON, truncated, nested too
// deeply, not an object with a non-empty `benchmarks` array of entries, an entry with fields of
// the wrong type or an unknown time_unit, a bad `complete`/`interrupted`/`not_run` in the
// context, a bad `backends` (not an array of backends with a name each, fields of the wrong
// type, a name twice, more than one reference), or a journal with a bad line other than a torn
// last one.
// Google Benchmark's NaN and Infinity (not JSON) are read as null.
Report parse_report(std::string_view text, const std::string& path);

// Reads and parses a regular file, gzip-compressed or not; InputError when it cannot be read,
// is not a regular file (a FIFO or a device would block or never end), or holds more than
// `max_bytes`, also once decompressed.
Report read_report(const std::string& path, std::size_t max_bytes = kMaxReportBytes);

// "X is incomplete: 3 benchmarks not run (interrupted by SIGINT)", "X is a journal of an
// unfinished run (12 benchmarks finished)"; none for a complete report.
std::optional<std::string> completeness_note(const std::string& path,
                                             const Completeness& completeness);

}  // namespace parbench::schema
