#include "report/console.hpp"

#include <cstdio>

namespace parbench {

std::string time_text(double seconds) {
  const char* unit = "s";
  double value = seconds;
  if (seconds < 1e-6) {
    value = seconds * 1e9;
    unit = "ns";
  } else if (seconds < 1e-3) {
    value = seconds * 1e6;
    unit = "µs";
  } else if (seconds < 1) {
    value = seconds * 1e3;
    unit = "ms";
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.4g %s", value, unit);
  return text;
}

namespace {

constexpr std::size_t kWidth = 120;
constexpr std::size_t kNameWidth = 58;

// Columns a UTF-8 text takes: its characters (µ is two bytes).
std::size_t columns(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string right_aligned(const std::string& text, std::size_t width) {
  const std::size_t n = columns(text);
  return n >= width ? text : std::string(width - n, ' ') + text;
}

double seconds_of(const nlohmann::json& e) {
  const std::string unit = e.value("time_unit", "ns");
  const double scale = unit == "s" ? 1 : unit == "ms" ? 1e-3 : unit == "us" ? 1e-6 : 1e-9;
  return e.value("real_time", 0.0) * scale;
}

// The entry that stands for the benchmark: the median, else its one repetition.
const nlohmann::json* representative(const nlohmann::json& entries) {
  const nlohmann::json* found = nullptr;
  for (const auto& e : entries) {
    if (e.value("aggregate_name", "") == "median") return &e;
    if (e.value("run_type", "") == "iteration" && !e.value("error_occurred", false)) found = &e;
  }
  return found;
}

// How well the median is known: "±1.4%", "~±7.2%" when the target was not met.
std::string spread_text(const nlohmann::json& e) {
  if (!e.contains("measurement") || !e["measurement"].contains("half_width")) return "";
  const nlohmann::json& m = e["measurement"];
  char text[32];
  std::snprintf(text, sizeof text, "%s±%.1f%%", m.value("decided", false) ? "" : "~",
                100 * m["half_width"].get<double>());
  return text;
}

// The kernel's own figure.
std::string figure_text(const nlohmann::json& e) {
  const std::string kernel = e.contains("params") ? e["params"].value("kernel", "") : "";
  char text[64] = "";
  if (kernel == "sum" && e.contains("bytes_per_second")) {
    const double gb = e["bytes_per_second"].get<double>() / 1e9;
    if (e.contains("bandwidth_fraction"))
      std::snprintf(text, sizeof text, "%.1f GB/s, %.2f of read", gb,
                    e["bandwidth_fraction"].get<double>());
    else
      std::snprintf(text, sizeof text, "%.1f GB/s", gb);
  } else if (e.contains("predicted") && e["predicted"].get<double>() > 0) {
    std::snprintf(text, sizeof text, "%.2f of the model's makespan",
                  seconds_of(e) / e["predicted"].get<double>());
  }
  return text;
}

}  // namespace

std::string result_line(const std::string& name, const nlohmann::json& entries) {
  std::string line = name.size() > kNameWidth ? name.substr(0, kNameWidth - 3) + "..." : name;
  line.resize(kNameWidth + 1, ' ');
  const nlohmann::json* e = representative(entries);
  if (e == nullptr) {
    std::string why = "error";
    for (const auto& entry : entries)
      if (entry.value("error_occurred", false)) why += ": " + entry.value("error_message", "");
    line += why;
  } else {
    char text[96];
    std::snprintf(text, sizeof text, " %-8s n=%-3d ", spread_text(*e).c_str(),
                  e->value("repetitions", 1));
    line += right_aligned(time_text(seconds_of(*e)), 10) + text;
    line += figure_text(*e);
  }
  while (columns(line) > kWidth) line.pop_back();
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace parbench
