#include "tools/compare/reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include <zlib.h>

namespace parbench::compare {

namespace {

using nlohmann::json;

struct TooDeep {};

bool only_whitespace(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool starts_gzip(const unsigned char* data, std::size_t size) {
  return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

bool is_gzip(const std::string& data) {
  return starts_gzip(reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

std::string mib_text(std::size_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

std::string larger_than(std::size_t max_bytes, const char* what) {
  return "larger than " + mib_text(max_bytes) + ": not " + what;
}

// The text of a gzip file: reference reports are committed compressed (the full suite's is
// 22 MB of JSON), and reading them must not need a step by hand. The cap is checked before
// each piece is kept, so a gzip bomb stops at `max_bytes`, not once it is all in memory.
// Members that follow the first (`cat a.gz b.gz`) are read too, as gzip(1) does.
std::string gunzip(const std::string& data, std::size_t max_bytes) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw InputError("cannot start zlib");
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&z};
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string text;
  char buffer[1 << 16];
  for (int rc = Z_OK; rc != Z_STREAM_END;) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) throw InputError("not a whole gzip file");
    const std::size_t produced = sizeof buffer - z.avail_out;
    if (text.size() + produced > max_bytes)
      throw InputError("larger than " + mib_text(max_bytes) + " once decompressed: not a report");
    text.append(buffer, produced);
    if (rc == Z_STREAM_END && starts_gzip(z.next_in, z.avail_in)) {
      if (inflateReset(&z) != Z_OK) throw InputError("not a whole gzip file");
      rc = Z_OK;
    }
  }
  return text;
}

// Google Benchmark writes NaN, -NaN, Infinity and -Infinity as bare words, which JSON lacks.
// Outside strings such words can only be those (or bad input, which the parser then rejects),
// so they become null: a figure that is not there.
std::string nonfinite_to_null(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    const std::size_t word = c == '-' ? i + 1 : i;
    bool replaced = false;
    for (std::string_view literal : {"NaN", "Infinity"})
      if (text.substr(word, literal.size()) == literal) {
        out += "null";
        i = word + literal.size() - 1;
        replaced = true;
        break;
      }
    if (!replaced) out += c;
  }
  return out;
}

// nlohmann's message without its "[json.exception...]" prefix and without raw input bytes.
std::string describe(const json::exception& e) {
  std::string what = e.what();
  if (const auto at = what.find("] "); what.rfind("[json.exception", 0) == 0 && at != what.npos)
    what.erase(0, at + 2);
  if (what.rfind("parse error ", 0) == 0) what.erase(0, 12);
  std::string clean;
  for (const char c : what) {
    const auto u = static_cast<unsigned char>(c);
    clean += u >= 0x20 && u < 0x7f ? c : '?';
  }
  if (clean.size() > 200) clean = clean.substr(0, 200) + "...";
  return clean;
}

// "an array", "a string", "null": for messages.
std::string type_name(const json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "a boolean";
  const std::string name = value.type_name();
  return (name == "array" || name == "object" ? "an " : "a ") + name;
}

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

// Parses JSON text as the reader accepts it: Google Benchmark's bare non-finite words read as
// null, at most kMaxDepth levels deep. Throws InputError saying what is wrong.
json parse_json(std::string_view text) {
  try {
    const std::string clean = nonfinite_to_null(text);
    return json::parse(clean, [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxDepth) throw TooDeep{};
      return true;
    });
  } catch (const TooDeep&) {
    throw InputError("not a report: JSON nested more than " + std::to_string(kMaxDepth) +
                     " levels deep");
  } catch (const json::parse_error& e) {
    const std::string detail = describe(e);
    if (e.byte >= text.size() || detail.find("unexpected end of input") != std::string::npos)
      throw InputError("truncated JSON: it ends in the middle of a value (" + detail + ")");
    throw InputError("not JSON (" + detail + ")");
  } catch (const json::exception& e) {
    throw InputError("unreadable JSON (" + describe(e) + ")");
  }
}

// Text from a report for a message on one line: control characters become '?'.
std::string printable(const std::string& text) {
  std::string clean;
  for (const char c : text.substr(0, 80)) clean += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
  return text.size() > 80 ? clean + "..." : clean;
}

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

// --- The registry of backends (context.backends) ---------------------------------------------
// Fields are optional but for a backend's name, so that a report of a later parbench that
// drops one still reads; a field that is there must have its type.

std::string registry_place(std::size_t index) {
  return "context.backends[" + std::to_string(index) + "]";
}

std::string wrong_field(const std::string& place, const char* key, const json& value,
                        const char* wanted) {
  return "'" + place + "." + key + "' is " + type_name(value) + ", not " + wanted;
}

bool flag_of(const json& object, const char* key, const std::string& place) {
  const auto it = object.find(key);
  if (it == object.end()) return false;
  if (!it->is_boolean()) throw InputError(wrong_field(place, key, *it, "true or false"));
  return it->get<bool>();
}

std::string name_of(const json& object, const std::string& place) {
  const auto it = object.find("name");
  if (it == object.end()) throw InputError("'" + place + "' has no 'name'");
  if (!it->is_string() || it->get<std::string>().empty())
    throw InputError(wrong_field(place, "name", *it, "a non-empty string"));
  return it->get<std::string>();
}

std::vector<std::string> names_of(const json& object, const char* key, const std::string& place) {
  const auto it = object.find(key);
  if (it == object.end()) return {};
  const bool strings = it->is_array() && std::all_of(it->begin(), it->end(),
                                                     [](const json& n) { return n.is_string(); });
  if (!strings) throw InputError(wrong_field(place, key, *it, "an array of strings"));
  return it->get<std::vector<std::string>>();
}

PolicyInfo policy_of(const json& item, const std::string& place) {
  if (!item.is_object())
    throw InputError("'" + place + "' is " + type_name(item) + ", not an object");
  PolicyInfo policy;
  policy.name = name_of(item, place);
  if (const auto split = item.find("split"); split != item.end()) {
    if (!split->is_string()) throw InputError(wrong_field(place, "split", *split, "a string"));
    policy.split = split->get<std::string>();
  }
  policy.takes_grain = flag_of(item, "takes_grain", place);
  policy.longest_first = flag_of(item, "longest_first", place);
  return policy;
}

std::vector<PolicyInfo> policies_of(const json& backend, const char* key,
                                    const std::string& place) {
  const auto it = backend.find(key);
  if (it == backend.end()) return {};
  if (!it->is_array()) throw InputError(wrong_field(place, key, *it, "an array of policies"));
  std::vector<PolicyInfo> policies;
  for (std::size_t i = 0; i < it->size(); ++i)
    policies.push_back(policy_of((*it)[i], place + "." + key + "[" + std::to_string(i) + "]"));
  return policies;
}

BackendInfo backend_of(const json& item, std::size_t index) {
  const std::string place = registry_place(index);
  if (!item.is_object())
    throw InputError("'" + place + "' is " + type_name(item) + ", not an object");
  BackendInfo backend;
  backend.name = name_of(item, place);
  backend.reference = flag_of(item, "reference", place);
  backend.launches = names_of(item, "launches", place);
  backend.reports_children_cpu = flag_of(item, "reports_children_cpu", place);
  backend.timed_starts = names_of(item, "timed_starts", place);
  backend.sum_policies = policies_of(item, "sum_policies", place);
  backend.task_policies = policies_of(item, "task_policies", place);
  return backend;
}

// A name twice or two references would leave "the reference" ambiguous: refused, not guessed.
void check_registry(const Registry& registry) {
  std::vector<std::string> names, references;
  for (const BackendInfo& backend : registry.backends) {
    if (std::find(names.begin(), names.end(), backend.name) != names.end())
      throw InputError("'context.backends' names the backend '" + printable(backend.name) +
                       "' twice");
    names.push_back(backend.name);
    if (backend.reference) references.push_back(printable(backend.name));
  }
  if (references.size() > 1)
    throw InputError("'context.backends' marks " + std::to_string(references.size()) +
                     " backends as the reference ('" + references[0] + "', '" + references[1] +
                     "'): a report has one");
}

Registry read_registry(const json& context) {
  const auto it = context.find("backends");
  if (it == context.end()) return registry_before_context_backends();
  if (!it->is_array())
    throw InputError("'context.backends' is " + type_name(*it) + ", not an array of backends");
  Registry registry;
  registry.from_report = true;
  for (std::size_t i = 0; i < it->size(); ++i) registry.backends.push_back(backend_of((*it)[i], i));
  check_registry(registry);
  return registry;
}

Report report_from_json(const json& doc, const std::string& path) {
  if (!doc.is_object())
    throw InputError("not a benchmark report: the JSON is " + type_name(doc) +
                     ", not an object with a 'benchmarks' array");
  const auto benchmarks = doc.find("benchmarks");
  if (benchmarks == doc.end()) throw InputError("not a benchmark report: no 'benchmarks' array");
  if (!benchmarks->is_array())
    throw InputError("not a benchmark report: 'benchmarks' is " + type_name(*benchmarks) +
                     ", not an array");
  if (benchmarks->empty()) throw InputError("no benchmarks: the 'benchmarks' array is empty");
  Report report;
  report.path = path;
  if (const auto context = doc.find("context"); context != doc.end()) {
    if (!context->is_object())
      throw InputError("'context' is " + type_name(*context) + ", not an object");
    report.context = *context;
  }
  report.completeness = read_completeness(report.context);
  report.registry = read_registry(report.context);
  report.entries.reserve(benchmarks->size());
  for (std::size_t i = 0; i < benchmarks->size(); ++i)
    report.entries.push_back(read_entry((*benchmarks)[i], i));
  return report;
}

// --- Journals ---------------------------------------------------------------------------
// parbench appends each finished benchmark to <report>.partial as one JSON line (see the
// README here), so a run that was killed outright still leaves its results behind. The last
// line may be torn by the kill; any other bad line means the file is not a journal.

constexpr int kJournalVersion = 1;

std::string first_line(std::string_view text) {
  return std::string(text.substr(0, text.find('\n')));
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

// By content, not by name: the first line is an object with "parbench_journal".
bool is_journal(std::string_view text) {
  const std::string line = first_line(text);
  if (line.find("\"parbench_journal\"") == std::string::npos) return false;
  std::string error;
  const std::optional<json> header = parse_line(line, error);
  return header && header->is_object() && header->contains("parbench_journal");
}

// The lines of a journal, less a torn last one: one without its newline is torn whatever it
// holds, since parbench writes a line and its newline at once.
std::vector<std::string_view> journal_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) break;
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

std::string journal_line(std::size_t number) {
  return "journal line " + std::to_string(number);
}

json session_of(const json& header, std::size_t number) {
  const json& version = header.at("parbench_journal");
  if (!version.is_number_integer() || version.get<long long>() != kJournalVersion)
    throw InputError(journal_line(number) + ": journal format " + printable(version.dump()) +
                     " is not known (this parbench-compare reads format " +
                     std::to_string(kJournalVersion) + ")");
  const auto session = header.find("session");
  if (session == header.end() || !session->is_object())
    throw InputError(journal_line(number) + ": the session header's 'session' is " +
                     (session == header.end() ? "missing" : type_name(*session)) +
                     ", not an object");
  return *session;
}

// A finished benchmark's entries, checked as a report's are.
std::vector<Entry> entries_of(const json& line, std::size_t number) {
  const auto entries = line.find("entries");
  if (entries == line.end() || !entries->is_array())
    throw InputError(journal_line(number) + ": 'entries' is " +
                     (entries == line.end() ? "missing" : type_name(*entries)) + ", not an array");
  std::vector<Entry> out;
  for (std::size_t i = 0; i < entries->size(); ++i) try {
      out.push_back(read_entry((*entries)[i], i));
    } catch (const InputError& e) {
      std::string what = e.what();  // read_entry names the place as in a report
      if (what.rfind("benchmarks[", 0) == 0) what.replace(0, 10, "entries");
      throw InputError(journal_line(number) + ": " + what);
    }
  return out;
}

std::string benchmark_name(const json& line, std::size_t number) {
  const json& name = line.at("benchmark");
  if (!name.is_string())
    throw InputError(journal_line(number) + ": 'benchmark' is " + type_name(name) +
                     ", not a string");
  return name.get<std::string>();
}

std::string not_a_journal(std::size_t number, const std::string& why) {
  return "not a parbench journal: line " + std::to_string(number) + " " + why;
}

// The report a journal will become: the last session header's context, marked incomplete, and
// every finished benchmark's entries in order, a benchmark written twice (a resumed run ran it
// again) counting once, with its later entries.
Report report_from_journal(std::string_view text, const std::string& path) {
  const std::vector<std::string_view> lines = journal_lines(text);
  json context = json::object();
  std::vector<std::string> order;
  std::map<std::string, std::vector<Entry>> finished;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t number = i + 1;
    std::string error;
    const std::optional<json> line = parse_line(lines[i], error);
    if (!line && number == lines.size() && text.back() == '\n') break;  // torn last line
    if (!line) throw InputError(not_a_journal(number, "is " + error));
    if (!line->is_object())
      throw InputError(not_a_journal(number, "is " + type_name(*line) + ", not an object"));
    if (line->contains("parbench_journal")) {
      context = session_of(*line, number);
    } else if (line->contains("benchmark")) {
      const std::string name = benchmark_name(*line, number);
      if (!finished.count(name)) order.push_back(name);
      finished[name] = entries_of(*line, number);
    } else {
      throw InputError(
          not_a_journal(number, "is neither a session header nor a finished benchmark"));
    }
  }
  Report report;
  report.path = path;
  for (const auto& name : order)
    for (auto& entry : finished[name]) report.entries.push_back(std::move(entry));
  if (report.entries.empty())
    throw InputError("a journal of an unfinished run in which no benchmark has finished yet");
  context["complete"] = false;
  context["journal"] = true;
  report.context = std::move(context);
  report.completeness = read_completeness(report.context);
  report.registry = read_registry(report.context);
  report.completeness.journal = true;
  report.completeness.finished = order.size();
  return report;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// Only regular files are read: a FIFO or a socket blocks until someone writes, a device such
// as /dev/zero never ends.
void require_regular(mode_t mode, const char* what) {
  if (S_ISREG(mode)) return;
  const std::string not_what = std::string(", not ") + what;
  if (S_ISDIR(mode)) throw InputError("is a directory" + not_what);
  if (S_ISFIFO(mode))
    throw InputError("is a FIFO (named pipe)" + not_what + ": only regular files are read");
  if (S_ISCHR(mode) || S_ISBLK(mode)) throw InputError("is a device" + not_what);
  if (S_ISSOCK(mode)) throw InputError("is a socket" + not_what);
  throw InputError("is not a regular file" + not_what);
}

std::string errno_text(const char* doing) {
  return std::string(doing) + ": " + std::strerror(errno);
}

}  // namespace

Report parse_report(std::string_view text, const std::string& path) {
  if (only_whitespace(text)) throw InputError("empty file, not JSON");
  if (is_journal(text)) return report_from_journal(text, path);
  return report_from_json(parse_json(text), path);
}

std::string read_regular_file(const std::string& path, std::size_t max_bytes, const char* what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) throw InputError(errno_text("cannot open"));
  require_regular(info.st_mode, what);
  if (static_cast<std::size_t>(info.st_size) > max_bytes)
    throw InputError(larger_than(max_bytes, what));
  // O_NONBLOCK and the second look: the path may name something else by the time it is opened.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) throw InputError(errno_text("cannot open"));
  struct Close {
    int fd;
    ~Close() { ::close(fd); }
  } close_fd{fd};
  if (::fstat(fd, &info) != 0) throw InputError(errno_text("cannot read"));
  require_regular(info.st_mode, what);
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InputError(errno_text("cannot read"));
    if (n == 0) return bytes;
    // The size stat gave is not the last word: the file may grow, and /proc reports 0.
    if (bytes.size() + static_cast<std::size_t>(n) > max_bytes)
      throw InputError(larger_than(max_bytes, what));
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
}

Report read_report(const std::string& path, std::size_t max_bytes) {
  const std::string bytes = read_regular_file(path, max_bytes, "a report");
  return parse_report(is_gzip(bytes) ? gunzip(bytes, max_bytes) : bytes, path);
}

std::string completeness_note(const std::string& path, const Completeness& c) {
  if (c.journal)
    return path + " is a journal of an unfinished run (" +
           plural(c.finished, "benchmark", "benchmarks") + " finished)";
  if (c.complete) return "";
  std::string note = path + " is incomplete";
  if (c.not_run) note += ": " + plural(*c.not_run, "benchmark", "benchmarks") + " not run";
  if (c.interrupted)
    note += *c.interrupted == "timeout" ? " (stopped by its timeout)"
                                        : " (interrupted by " + *c.interrupted + ")";
  return note;
}

}  // namespace parbench::compare
