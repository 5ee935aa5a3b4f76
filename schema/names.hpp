#pragma once
// How reports write sizes and durations in benchmark names, and how every tool shows them:
// parbench names its benchmarks with these, parbench-compare labels its rows with them
// (plots/parbench/style.py draws the same).
#include <cstdint>
#include <string>

namespace parbench::schema {

// 2147483648 -> "2GiB", 8000 -> "8000B": the largest binary unit that divides the bytes
// exactly.
std::string exact_bytes_text(std::uint64_t bytes);

// 0.001 -> "1ms", 0.0001 -> "100us", 2 -> "2s": the largest unit the duration reaches, to six
// significant digits.
std::string duration_name(double seconds);

}  // namespace parbench::schema
