#pragma once
// parbench's command line: what to run, turned into a validated Config before anything runs.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "suites/config.hpp"

namespace parbench {

// The exit status for bad input; nothing has run when it is returned.
inline constexpr int kBadInput = 2;

// Parses argv into a Config with every default resolved against this machine. Returns the
// exit status instead when the run must stop here: 0 after --help, kBadInput after printing
// one line on stderr for bad input.
struct ParseOutcome {
  std::optional<Config> config;
  int exit_status = 0;
};
ParseOutcome parse_options(int argc, char** argv);

// Worker counts for a kernel: the explicit --workers, else the suite's default for that kind
// (sum: the usable CPUs; tasks: 4 and twice the CPUs; full: a sweep to past the CPUs).
std::vector<unsigned> workers_for(const Config& config, bool task_kernel);

// The worker counts of a full sweep on a machine with `cpus` usable CPUs on `cores` cores:
// 1, 2, 4, ... up to twice the CPUs (at least up to `at_least`), with the cores, the CPUs and
// twice the CPUs always in, and at most 12 counts: the powers of two between are thinned out.
std::vector<unsigned> sweep_counts(unsigned cpus, unsigned cores, unsigned at_least);

// The CPUs and cores a sweep is planned for: this process's, or those a topology loaded from an
// XML file allows (HWLOC_XMLFILE), so that a plan for another machine can be seen here.
unsigned sweep_cpus();
unsigned sweep_cores();

// "16M" -> 16777216; K, M, G are powers of 1024. Throws std::invalid_argument.
std::size_t parse_count(const std::string& text);

// An array size as elements: a count ("64K", as parse_count) or bytes with a binary suffix
// ("512B", "32KiB", "8MiB", "2GiB", "1TiB"; a whole number of 8-byte elements). Throws
// std::invalid_argument.
std::size_t parse_size(const std::string& text);

// Sizes the default suites use, read from this machine's caches and memory.
struct DefaultSizes {
  std::size_t in_cache;    // elements: fits the first-level data cache
  std::size_t in_llc;      // elements: a quarter of the last-level cache
  std::size_t beyond_llc;  // elements: 8x the last-level cache (>= 1 GiB), memory allowing
};
DefaultSizes default_sizes();

}  // namespace parbench
