// Journals and reports told apart and split into their parts (reports/SCHEMA.md).
#include "schema/read.hpp"

#include <optional>

namespace parbench::schema {
namespace {

using nlohmann::json;

bool only_whitespace(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// --- Journals ---------------------------------------------------------------------------
// parbench appends each finished benchmark to <report>.partial as one JSON line, so a run that
// was killed outright still leaves its results behind. Only the last line can be torn by the
// kill; any other bad line means the file is not a journal.

std::string_view first_line(std::string_view text) {
  return text.substr(0, text.find('\n'));
}

// One line as JSON, or nothing (with `error` saying why) where it does not parse.
std::optional<json> parse_line(std::string_view line, std::string& error) {
  try {
    return parse_json(line);
  } catch (const InputError& e) {
    error = e.what();
    // Each line is parsed alone: its own "line 1" would only mislead.
    if (const auto at = error.find("at line 1, column"); at != std::string::npos)
      error.replace(at, 17, "at column");
    return std::nullopt;
  }
}

// A line as written: whole when its newline follows it. parbench writes a line and its
// newline at once, so a line without one is torn whatever it holds.
struct WrittenLine {
  std::string_view text;
  std::size_t end = 0;  // where the next line starts
  bool whole = false;
};

std::vector<WrittenLine> written_lines(std::string_view text) {
  std::vector<WrittenLine> lines;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t newline = text.find('\n', at);
    if (newline == std::string_view::npos) {
      lines.push_back({text.substr(at), text.size(), false});
      break;
    }
    lines.push_back({text.substr(at, newline - at), newline + 1, true});
    at = newline + 1;
  }
  return lines;
}

std::string journal_line(std::size_t number) {
  return "journal line " + std::to_string(number);
}

std::string not_a_journal(std::size_t number, const std::string& why) {
  return "not a parbench journal: line " + std::to_string(number) + " " + why;
}

void check_session_header(const json& header, std::size_t number) {
  const json& version = header.at("parbench_journal");
  if (!version.is_number_integer() || version.get<long long>() != kJournalVersion)
    throw InputError(journal_line(number) + ": journal format " + printable(version.dump()) +
                     " is not known (this parbench reads format " +
                     std::to_string(kJournalVersion) + ")");
  const auto session = header.find("session");
  if (session == header.end() || !session->is_object())
    throw InputError(journal_line(number) + ": the session header's 'session' is " +
                     (session == header.end() ? "missing" : type_name(*session)) +
                     ", not an object");
}

JournalBenchmark benchmark_of(json& line, std::size_t number) {
  const json& name = line.at("benchmark");
  if (!name.is_string())
    throw InputError(journal_line(number) + ": 'benchmark' is " + type_name(name) +
                     ", not a string");
  const auto entries = line.find("entries");
  if (entries == line.end() || !entries->is_array())
    throw InputError(journal_line(number) + ": 'entries' is " +
                     (entries == line.end() ? "missing" : type_name(*entries)) + ", not an array");
  return {number, name.get<std::string>(), std::move(*entries)};
}

void add_line(JournalContents& journal, json line, std::size_t number) {
  if (!line.is_object())
    throw InputError(not_a_journal(number, "is " + type_name(line) + ", not an object"));
  if (line.contains("parbench_journal")) {
    check_session_header(line, number);
    journal.sessions.push_back(std::move(line));
  } else if (line.contains("benchmark")) {
    journal.benchmarks.push_back(benchmark_of(line, number));
  } else {
    throw InputError(not_a_journal(number, "is neither a session header nor a finished benchmark"));
  }
}

}  // namespace

bool is_journal(std::string_view text) {
  const std::string_view line = first_line(text);
  if (line.find("\"parbench_journal\"") == std::string_view::npos) return false;
  std::string error;
  const std::optional<json> header = parse_line(line, error);
  return header && header->is_object() && header->contains("parbench_journal");
}

JournalContents split_journal(std::string_view text) {
  JournalContents journal;
  const std::vector<WrittenLine> lines = written_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t number = i + 1;
    if (!lines[i].whole) break;  // torn
    std::string error;
    std::optional<json> line = parse_line(lines[i].text, error);
    if (!line && number == lines.size()) break;  // torn, and its newline written after all
    if (!line) throw InputError(not_a_journal(number, "is " + error));
    add_line(journal, std::move(*line), number);
    journal.whole_bytes = lines[i].end;
  }
  if (journal.sessions.empty())
    throw InputError("a journal of an unfinished run in which no session header is whole yet");
  return journal;
}

ReportContents split_report(json report) {
  if (!report.is_object())
    throw InputError("not a benchmark report: the JSON is " + type_name(report) +
                     ", not an object with a 'benchmarks' array");
  const auto benchmarks = report.find("benchmarks");
  if (benchmarks == report.end()) throw InputError("not a benchmark report: no 'benchmarks' array");
  if (!benchmarks->is_array())
    throw InputError("not a benchmark report: 'benchmarks' is " + type_name(*benchmarks) +
                     ", not an array");
  ReportContents contents;
  contents.benchmarks = std::move(*benchmarks);
  if (const auto context = report.find("context"); context != report.end()) {
    if (!context->is_object())
      throw InputError("'context' is " + type_name(*context) + ", not an object");
    contents.context = std::move(*context);
  }
  return contents;
}

Contents parse_contents(std::string_view text) {
  if (only_whitespace(text)) throw InputError("empty file, not JSON");
  if (is_journal(text)) return split_journal(text);
  return split_report(parse_json(text));
}

}  // namespace parbench::schema
