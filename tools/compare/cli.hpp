#pragma once
// The parbench-compare command: options, reading, comparing, writing, exit status.
#include <ostream>
#include <string>
#include <vector>

namespace parbench::compare {

inline constexpr int kRegression = 1;  // a run worse past its threshold (when asked to fail)
inline constexpr int kBadInput = 2;    // bad options or a bad report: one line on stderr

// Runs the command (argv[0] included). Writes the result to `out`, errors to `err` (one line),
// and returns the exit status: 0, kRegression or kBadInput. Colour only if `out_is_terminal`.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
        bool out_is_terminal);
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        bool out_is_terminal = false);

}  // namespace parbench::compare
