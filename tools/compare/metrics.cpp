#include "tools/compare/metrics.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace parbench::compare {

namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Figures that parbench writes in seconds (see reports/SCHEMA.md).
constexpr std::array<std::string_view, 8> kSeconds = {
    "real_time", "cpu_time",          "makespan",      "lower_bound",
    "predicted", "children_cpu_time", "cpu_time_used", "overhead"};

constexpr std::array<std::string_view, 4> kHigherIsBetter = {
    "speedup", "efficiency", "bandwidth_fraction", "workers_obtained"};

std::string printf_string(const char* format, double value, const char* suffix) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value, suffix);
  return buffer;
}

}  // namespace

Metric make_metric(const std::string& field, std::optional<Better> better) {
  Metric m;
  m.field = field;
  for (const auto s : kSeconds) m.seconds = m.seconds || field == s;
  bool higher = ends_with(field, "_per_second");
  for (const auto h : kHigherIsBetter) higher = higher || field == h;
  m.better = better.value_or(higher ? Better::higher : Better::lower);
  return m;
}

std::optional<double> metric_value(const Entry& entry, const Metric& metric, const Report& report) {
  const auto& fields = entry.fields;
  const auto it = fields.find(metric.field);
  std::optional<double> value;
  if (it != fields.end() && it->is_number()) {
    value = it->get<double>();
    if (metric.field == "real_time" || metric.field == "cpu_time") *value *= entry.seconds_per_unit;
  } else if (it == fields.end() && metric.field == "bandwidth_fraction") {
    const auto bytes = fields.find("bytes_per_second");
    const auto bandwidth = report.context.find("read_bandwidth");
    if (bytes != fields.end() && bytes->is_number() && bandwidth != report.context.end() &&
        bandwidth->is_number() && bandwidth->get<double>() > 0)
      value = bytes->get<double>() / bandwidth->get<double>();
  }
  if (value && !std::isfinite(*value)) return std::nullopt;
  return value;
}

std::string format_value(double value, const Metric& metric) {
  const double magnitude = std::fabs(value);
  if (metric.seconds) {
    if (magnitude == 0) return "0 s";
    if (magnitude < 1e-6) return printf_string("%.4g %s", value * 1e9, "ns");
    if (magnitude < 1e-3) return printf_string("%.4g %s", value * 1e6, "us");
    if (magnitude < 1) return printf_string("%.4g %s", value * 1e3, "ms");
    return printf_string("%.4g %s", value, "s");
  }
  if (ends_with(metric.field, "_per_second")) {
    static constexpr std::array<std::pair<double, const char*>, 4> kScale = {
        {{1e12, "T/s"}, {1e9, "G/s"}, {1e6, "M/s"}, {1e3, "k/s"}}};
    for (const auto& [scale, unit] : kScale)
      if (magnitude >= scale) return printf_string("%.4g %s", value / scale, unit);
    return printf_string("%.4g %s", value, "/s");
  }
  return printf_string("%.4g%s", value, "");
}

std::string grouped(std::size_t n) {
  const std::string digits = std::to_string(n);
  std::string text;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return text;
}

std::string direction_text(const Metric& metric) {
  return metric.better == Better::lower ? "lower is better" : "higher is better";
}

}  // namespace parbench::compare
