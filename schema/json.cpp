// JSON as reports hold it, and the words messages use for it.
#include "schema/read.hpp"

namespace parbench::schema {
namespace {

using nlohmann::json;

struct TooDeep {};

// Google Benchmark writes NaN, -NaN, Infinity and -Infinity as bare words, which JSON lacks (and
// printf's nan and inf where it formats a number itself).
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
    for (std::string_view literal : {"NaN", "Infinity", "nan", "inf"})
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

// The length of the UTF-8 sequence at text[i], or 0 if it is not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) low = 0xA0;   // no overlong forms
    if (b == 0xED) high = 0x9F;  // no surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) low = 0x90;
    if (b == 0xF4) high = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (i + n > text.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

// Each byte that starts no UTF-8 sequence becomes `prefix` and two hex digits.
std::string escape_stray_bytes(std::string_view text, std::string_view prefix) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (const std::size_t n = utf8_sequence_length(text, i); n > 0) {
      out.append(text, i, n);
      i += n;
      continue;
    }
    static const char digits[] = "0123456789ABCDEF";
    const auto b = static_cast<unsigned char>(text[i++]);
    out += prefix;
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

}  // namespace

std::string utf8_or_escaped(std::string_view text) {
  return escape_stray_bytes(text, "\\x");
}

json parse_benchmark_json(std::string_view text) {
  // In JSON text a backslash is written twice: the string read back holds \xNN.
  return parse_json(escape_stray_bytes(text, "\\\\x"));
}

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

std::string type_name(const json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "a boolean";
  const std::string name = value.type_name();
  return (name == "array" || name == "object" ? "an " : "a ") + name;
}

}  // namespace parbench::schema
