#pragma once
// Reads a parbench report, or any Google Benchmark JSON output, into entries that the rest of
// parbench-compare can use without looking at the JSON's shape again.
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace parbench::compare {

// Bad input: what() says what is wrong (the caller puts the file's name in front).
// parbench-compare answers it with one line on stderr and exit status 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

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

struct Report {
  std::string path;
  nlohmann::json context = nlohmann::json::object();
  std::vector<Entry> entries;
};

// Parses the text of a report. Throws InputError for anything that is not a usable report:
// not JSON, truncated, nested too deeply, not an object with a non-empty `benchmarks` array of
// entries, or an entry with fields of the wrong type or an unknown time_unit.
// Google Benchmark's NaN and Infinity (not JSON) are read as null.
Report parse_report(std::string_view text, const std::string& path);

// Reads and parses a file (or a pipe); also InputError when it cannot be read.
Report read_report(const std::string& path);

// The deepest nesting of arrays and objects that the reader accepts.
inline constexpr int kMaxDepth = 64;

}  // namespace parbench::compare
