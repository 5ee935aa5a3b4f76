#pragma once
// Text from a report, as every C++ tool shows it in a message or a table: a report's strings
// may hold anything (a benchmark's name, a path), a terminal must not be garbled by them.
#include <cstddef>
#include <string>
#include <vector>

namespace parbench::schema {

// `text` with each control character as '?', cut at `most` characters (then "..." follows);
// std::string::npos: not cut.
std::string printable(const std::string& text, std::size_t most = 80);

// "a, b and c" with last = " and "; "a, b, c" by default.
std::string joined(const std::vector<std::string>& parts, const std::string& last = ", ");

}  // namespace parbench::schema
