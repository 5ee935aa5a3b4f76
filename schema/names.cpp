#include "schema/names.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <utility>

namespace parbench::schema {

std::string exact_bytes_text(std::uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  while (unit < 5 && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return std::to_string(bytes) + kUnits[unit];
}

std::string duration_name(double seconds) {
  static constexpr std::array<std::pair<double, const char*>, 4> kUnits = {
      {{1, "s"}, {1e-3, "ms"}, {1e-6, "us"}, {1e-9, "ns"}}};
  if (seconds == 0) return "0s";
  for (const auto& [scale, suffix] : kUnits)
    if (std::fabs(seconds) >= scale || scale == kUnits.back().first) {
      char text[48];
      // %g to six digits: 0.01 / 1e-3 is 10.000000000000002 in binary, and must read 10ms.
      std::snprintf(text, sizeof text, "%g%s", seconds / scale, suffix);
      return text;
    }
  return "";
}

}  // namespace parbench::schema
