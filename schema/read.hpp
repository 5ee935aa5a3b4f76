#pragma once
// The one C++ reader of parbench's reports and journals (reports/SCHEMA.md): the file's text,
// read safely; its JSON, as Google Benchmark writes it; a journal told from a report, and each
// split into its parts as raw JSON. What the parts mean is the reader's business: `parbench
// --resume` carries entries verbatim into a new report, parbench-compare types them.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "schema/text.hpp"

namespace parbench::schema {

// Bad input: what() says what is wrong on one line, without the file's name (the caller puts
// it in front).
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// --- Files ----------------------------------------------------------------------------------

// The most a report may hold, also once decompressed: many times what the full suite writes.
inline constexpr std::size_t kMaxReportBytes = std::size_t{512} << 20;

// The bytes of a regular file of at most `max_bytes`; InputError (naming `what` it should be)
// for anything else. Nothing is opened that stat does not show to be a regular file.
std::string read_regular_file(const std::string& path, std::size_t max_bytes, const char* what);

// Whether `bytes` start as a gzip file does.
bool is_gzip(std::string_view bytes);

// The text of a report or journal file, gzip-compressed or not: read_regular_file, and the cap
// holds once decompressed too.
std::string read_report_text(const std::string& path, std::size_t max_bytes = kMaxReportBytes);

// --- JSON -----------------------------------------------------------------------------------

// The deepest nesting of arrays and objects that the reader accepts.
inline constexpr int kMaxDepth = 64;

// Parses JSON text as reports hold it: Google Benchmark's bare NaN, -NaN, Infinity and
// -Infinity read as null, at most kMaxDepth levels deep. InputError says what is wrong.
nlohmann::json parse_json(std::string_view text);

// Google Benchmark's JSON output as parse_json reads it, with each byte that is not UTF-8 (a
// path, an environment variable) kept as the text \xNN: a report is always valid UTF-8.
nlohmann::json parse_benchmark_json(std::string_view text);

// `text` if it is UTF-8, else the same with each stray byte as the four characters \xNN.
std::string utf8_or_escaped(std::string_view text);

// "an array", "a string", "null": for messages.
std::string type_name(const nlohmann::json& value);

// --- Journals and reports -------------------------------------------------------------------

inline constexpr int kJournalVersion = 1;

// A journal by content, not by name: its first line is an object with "parbench_journal".
bool is_journal(std::string_view text);

// One finished benchmark's line in a journal.
struct JournalBenchmark {
  std::size_t line = 0;  // 1 for the first line of the file
  std::string name;
  nlohmann::json entries;  // an array, as the report shows them
};

struct JournalContents {
  // The session headers, whole: {"parbench_journal", "session" (an object), "arguments", ...}.
  std::vector<nlohmann::json> sessions;
  // In the order written; a benchmark that a resumed run ran again comes twice.
  std::vector<JournalBenchmark> benchmarks;
  std::size_t whole_bytes = 0;  // where the last line kept ends: a torn one starts there
};

// The lines of a journal, less a torn last one. InputError for any other bad line: not JSON,
// not an object, neither a session header (of a known format, with an object "session") nor a
// benchmark (a string "benchmark", an array "entries"), or no session header at all.
JournalContents split_journal(std::string_view text);

struct ReportContents {
  nlohmann::json context = nlohmann::json::object();  // {} where the report has none
  nlohmann::json benchmarks = nlohmann::json::array();
};

// InputError unless `report` is an object with a `benchmarks` array and, if any, an object
// `context`.
ReportContents split_report(nlohmann::json report);

using Contents = std::variant<ReportContents, JournalContents>;

// A journal's or a report's text, split: InputError when it is neither (empty, not JSON, ...).
Contents parse_contents(std::string_view text);

}  // namespace parbench::schema
