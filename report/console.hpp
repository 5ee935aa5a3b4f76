#pragma once
// What a person reads as the run goes: one line per finished benchmark, at most 120 columns,
// with its median, how well it is known, and the one figure that matters for its kernel.
// Google Benchmark's own table of every repetition is there behind --table.
#include <nlohmann/json.hpp>
#include <string>

namespace parbench {

// 0.000002614 s -> "2.614 µs": four significant digits, in ns, µs, ms or s.
std::string time_text(double seconds);

// "sum/thread/pool/block/workers:2/bytes:512KiB   2.614 µs ±1.4%  n=12  25.1 GB/s, 1.03 of read"
// from a finished benchmark's entries (figures derived); an error says so.
std::string result_line(const std::string& name, const nlohmann::json& entries);

}  // namespace parbench
