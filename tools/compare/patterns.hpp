#pragma once
// Patterns that pick entries (for --filter and the --thresholds file) and the thresholds file.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parbench::compare {

// A pattern is either
//   key=glob[,key=glob...]  every condition holds: params[key] matches the glob (key `name`
//                           is the run name); a number also matches a count such as 1M or 64K
//                           and a duration in seconds such as 1ms or 500us (unit=1ms)
//   glob                    the run name matches the glob, or the kernel equals it
// Globs know * (any run of characters) and ? (one character).
struct Pattern {
  std::string text;
  std::vector<std::pair<std::string, std::string>> conditions;  // empty: a bare glob
};

// Throws std::invalid_argument for an empty pattern, key or glob.
Pattern parse_pattern(const std::string& text);

bool matches(const Pattern& pattern, const std::optional<nlohmann::json>& params,
             const std::string& name);

bool glob_match(std::string_view glob, std::string_view text);

// A params value as text: strings as they are, integers in decimal, others as JSON.
std::string param_text(const nlohmann::json& value);

// A --thresholds file: a JSON object mapping patterns to percentages, first match in the
// file's order wins, plus an optional "default" key:
//   {"kernel=launch": 50, "sum": 15, "backend=fork,workers=4": 25, "default": 10}
struct Thresholds {
  std::vector<std::pair<Pattern, double>> rules;
  std::optional<double> fallback;  // "default"
};

// A thresholds file is a handful of rules; anything bigger is a mistake (or /dev/zero).
inline constexpr std::size_t kMaxThresholdsBytes = std::size_t{1} << 20;

// Throws InputError (see reader.hpp) for an unreadable file, one that is not a regular file or
// is larger than kMaxThresholdsBytes, bad JSON or a bad rule.
Thresholds read_thresholds(const std::string& path);
Thresholds parse_thresholds(std::string_view text);

// The percentage of the first rule that matches, if any.
std::optional<double> rule_for(const Thresholds& thresholds,
                               const std::optional<nlohmann::json>& params,
                               const std::string& name);

}  // namespace parbench::compare
