#include "tools/compare/reader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <zlib.h>

namespace parbench::compare {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxFileBytes = std::size_t{512} << 20;

struct TooDeep {};

bool only_whitespace(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool is_gzip(const std::string& data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

// The text of a gzip file: reference reports are committed compressed (the full suite's is
// 22 MB of JSON), and reading them must not need a step by hand.
std::string gunzip(const std::string& data) {
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
    text.append(buffer, sizeof buffer - z.avail_out);
    if (text.size() > kMaxFileBytes) throw InputError("larger than 512 MiB: not a report");
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

}  // namespace

Report parse_report(std::string_view text, const std::string& path) {
  if (only_whitespace(text)) throw InputError("empty file, not JSON");
  json doc;
  try {
    const std::string clean = nonfinite_to_null(text);
    doc = json::parse(clean, [](int depth, json::parse_event_t, json&) {
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
  report.entries.reserve(benchmarks->size());
  for (std::size_t i = 0; i < benchmarks->size(); ++i)
    report.entries.push_back(read_entry((*benchmarks)[i], i));
  return report;
}

Report read_report(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError("is a directory, not a report");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(std::string("cannot open: ") + std::strerror(errno));
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxFileBytes) throw InputError("larger than 512 MiB: not a report");
  }
  if (in.bad()) throw InputError(std::string("cannot read: ") + std::strerror(errno));
  return parse_report(is_gzip(text) ? gunzip(text) : text, path);
}

}  // namespace parbench::compare
