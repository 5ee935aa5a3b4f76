#pragma once
// parbench's command line: what to run, turned into a validated Config before anything runs.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "platform/mapping.hpp"

namespace parbench {

// How the repetitions of each benchmark are decided (benchmarks/rounds.hpp).
struct Measurement {
  unsigned repetitions = 0;      // exactly this many; 0: until the target is met (adaptive)
  unsigned min_repetitions = 6;  // the fewest with a 95% interval of the median
  unsigned max_repetitions = 40;
  double target = 0.02;  // the interval's half-width, relative to the median
  double confidence = 0.95;
  double benchmark_budget = 1;  // seconds one benchmark may take beyond its fewest repetitions
  double run_budget = 0;        // seconds the run may take before only the fewest run; 0: none
  bool interleave = true;       // a group's repetitions in rounds, else one benchmark at a time
  std::uint64_t seed = 0;       // of the order within each round
};

struct Config {
  std::string suite = "quick";         // quick | full: the defaults below depend on it
  std::vector<std::string> kernels;    // sum, sleep, spin, launch
  std::vector<std::string> backends;   // serial, thread, fork, openmp, tbb
  std::vector<std::string> launches;   // empty: every launch of each backend
  std::vector<std::string> policies;   // empty: every policy of each backend
  std::vector<unsigned> workers;       // worker counts to sweep; empty: per kernel
  std::vector<std::size_t> sizes;      // sum: element counts
  std::size_t calibration_size = 0;    // read-bandwidth array: elements; default beyond_llc
  std::vector<std::string> task_sets;  // sleep, spin: task set specs
  double unit = 1e-3;                  // sleep, spin: seconds per unit of duration
  std::string unit_text = "1ms";
  std::string pin = "none";  // none | compact | spread
  Measurement measurement;   // how many repetitions, in which order
  double min_time = 0.02;    // seconds per repetition, Google Benchmark's
  Mapping data_mapping = Mapping::private_pages;
  FirstTouch first_touch = FirstTouch::workers;  // who writes the sum's array first
  std::string out;                               // report path
  bool out_is_default = false;                   // no --out: a free name is found at start
  double job_timeout = 300;                      // seconds before a job that does not end is hung
  unsigned ranks = 0;             // run under mpirun with this many ranks (0: not asked)
  unsigned threads_per_rank = 1;  // mpi: OpenMP threads in each rank for its share of a sum
  bool list_only = false;         // --benchmark_list_tests: list, run nothing
  bool show_placement = false;    // print where workers would run, run nothing
  bool dry_run = false;           // print what would run and an estimate of how long, run nothing
  bool table = false;             // Google Benchmark's table of every repetition, not one line each
  std::vector<std::string> benchmark_flags;  // --benchmark_* passed through
  std::vector<std::string> arguments;        // as given (without the program), for --resume
};

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
