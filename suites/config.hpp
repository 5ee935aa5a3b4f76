#pragma once
// What a run measures and how: the command line's choices, every default already resolved
// against this machine (cli/options.hpp makes it), read by the suites as they register.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "engine/measurement.hpp"
#include "platform/mapping.hpp"

namespace parbench {

struct Config {
  std::string suite = "quick";         // quick | full: the defaults below depend on it
  std::vector<std::string> kernels;    // of the kernel names the options accept
  std::vector<std::string> backends;   // of the registry's (backends/backend.hpp)
  std::vector<std::string> launches;   // empty: every launch of each backend
  std::vector<std::string> policies;   // empty: every policy of each backend
  std::vector<unsigned> workers;       // worker counts asked for; empty: per kernel
  std::vector<unsigned> sum_workers;   // what the sum and launch kernels sweep (resolved)
  std::vector<unsigned> task_workers;  // what the task kernels sweep (resolved)
  std::vector<std::size_t> sizes;      // sum: element counts
  std::size_t calibration_size = 0;    // read-bandwidth array: elements; default beyond_llc
  std::vector<std::string> task_sets;  // sleep, spin: task set specs
  double unit = 1e-3;                  // sleep, spin: seconds per unit of duration
  std::string unit_text = "1ms";
  std::string pin = "none";  // a placement policy's name (platform/placement.hpp)
  Measurement measurement;   // how many repetitions, in which order
  double min_time = 0.02;    // seconds per repetition, Google Benchmark's
  Mapping data_mapping = Mapping::private_pages;
  FirstTouch first_touch = FirstTouch::workers;  // who writes the sum's array first
  std::string out;                               // report path
  bool out_is_default = false;                   // no --out: a free name is found at start
  double job_timeout = 300;                      // seconds before a job that does not end is hung
  // The flags of backends whose workers a launcher starts (BackendInfo::launcher), as given.
  std::map<std::string, std::string> backend_flags;
  bool list_only = false;       // --benchmark_list_tests: list, run nothing
  bool show_placement = false;  // print where workers would run, run nothing
  bool dry_run = false;         // print what would run and an estimate of how long, run nothing
  bool table = false;           // Google Benchmark's table of every repetition, not one line each
  std::vector<std::string> benchmark_flags;  // --benchmark_* passed through
  std::vector<std::string> arguments;        // as given (without the program), for --resume
};

}  // namespace parbench
