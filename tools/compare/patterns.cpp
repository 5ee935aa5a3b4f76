#include "tools/compare/patterns.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "schema/report.hpp"

namespace parbench::compare {

using schema::InputError;

namespace {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == text.npos) return "";
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// "65536", "64K", "1M", "2G" as a number of elements; nullopt if it is not one.
std::optional<double> count_value(const std::string& text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  std::uint64_t value = 0;
  std::size_t i = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    if (value > (UINT64_MAX - 9) / 10) return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  double scale = 1;
  if (i + 1 == text.size()) {
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
    scale = unit == 'K' ? 1024.0 : unit == 'M' ? 1048576.0 : unit == 'G' ? 1073741824.0 : 0;
    if (scale == 0) return std::nullopt;
  } else if (i != text.size()) {
    return std::nullopt;
  }
  return static_cast<double>(value) * scale;
}

// "1ms", "500us", "1.5s", "10ns" as seconds; nullopt if it is not one. A task unit is in
// seconds in params and written so in the benchmark names (unit:1ms).
std::optional<double> duration_value(const std::string& text) {
  static constexpr std::array<std::pair<std::string_view, double>, 4> kSuffixes = {
      {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1}}};
  for (const auto& [suffix, scale] : kSuffixes) {
    if (text.size() <= suffix.size() ||
        text.compare(text.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) != 0)
      continue;
    const std::string number = text.substr(0, text.size() - suffix.size());
    double value = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size() || !(value >= 0)) return {};
    return value * scale;
  }
  return std::nullopt;
}

bool same_duration(double a, double b) {
  return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

bool value_matches(const nlohmann::json& value, const std::string& glob) {
  if (value.is_number()) {
    if (const auto count = count_value(glob)) return value.get<double>() == *count;
    if (const auto seconds = duration_value(glob))
      return same_duration(value.get<double>(), *seconds);
  }
  return glob_match(glob, param_text(value));
}

}  // namespace

bool glob_match(std::string_view glob, std::string_view text) {
  // Iterative, with one back-tracking point: linear in practice, never exponential.
  std::size_t g = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g;
      ++t;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      resume = t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

std::string param_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Pattern parse_pattern(const std::string& text) {
  Pattern p;
  p.text = trim(text);
  if (p.text.empty()) throw std::invalid_argument("empty pattern");
  if (p.text.find('=') == std::string::npos) return p;
  std::stringstream parts(p.text);
  for (std::string part; std::getline(parts, part, ',');) {
    const auto eq = part.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("pattern '" + p.text + "': '" + trim(part) +
                                  "' is not key=value");
    std::string key = trim(part.substr(0, eq)), glob = trim(part.substr(eq + 1));
    if (key.empty() || glob.empty())
      throw std::invalid_argument("pattern '" + p.text + "': empty key or value in '" + trim(part) +
                                  "'");
    p.conditions.emplace_back(std::move(key), std::move(glob));
  }
  if (p.conditions.empty()) throw std::invalid_argument("pattern '" + p.text + "' is empty");
  return p;
}

bool matches(const Pattern& pattern, const std::optional<nlohmann::json>& params,
             const std::string& name) {
  if (pattern.conditions.empty()) {
    if (glob_match(pattern.text, name)) return true;
    if (!params) return false;
    const auto kernel = params->find("kernel");
    return kernel != params->end() && kernel->is_string() && *kernel == pattern.text;
  }
  for (const auto& [key, glob] : pattern.conditions) {
    if (key == "name") {
      if (!glob_match(glob, name)) return false;
      continue;
    }
    if (!params) return false;
    const auto it = params->find(key);
    if (it == params->end() || !value_matches(*it, glob)) return false;
  }
  return true;
}

Thresholds parse_thresholds(std::string_view text) {
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(
        text, [](int depth, nlohmann::ordered_json::parse_event_t, nlohmann::ordered_json&) {
          if (depth > 4) throw std::invalid_argument("nested too deeply");
          return true;
        });
  } catch (const std::exception& e) {
    std::string what = e.what();
    if (const auto at = what.find("] "); at != what.npos) what.erase(0, at + 2);
    for (char& c : what)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    throw InputError("not a thresholds file: " + what);
  }
  if (!doc.is_object())
    throw InputError(
        "not a thresholds file: expected a JSON object mapping patterns to percentages, e.g. "
        "{\"kernel=sum\": 10, \"default\": 5}");
  Thresholds t;
  for (const auto& [key, value] : doc.items()) {
    if (!value.is_number() || !(value.get<double>() >= 0) || !std::isfinite(value.get<double>()))
      throw InputError("'" + key + "': the threshold must be a percentage (a number >= 0)");
    if (key == "default") {
      t.fallback = value.get<double>();
      continue;
    }
    try {
      t.rules.emplace_back(parse_pattern(key), value.get<double>());
    } catch (const std::invalid_argument& e) {
      throw InputError(e.what());
    }
  }
  return t;
}

Thresholds read_thresholds(const std::string& path) {
  return parse_thresholds(
      schema::read_regular_file(path, kMaxThresholdsBytes, "a thresholds file"));
}

std::optional<double> rule_for(const Thresholds& thresholds,
                               const std::optional<nlohmann::json>& params,
                               const std::string& name) {
  for (const auto& [pattern, percent] : thresholds.rules)
    if (matches(pattern, params, name)) return percent;
  return std::nullopt;
}

}  // namespace parbench::compare
