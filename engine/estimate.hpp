#pragma once
// How long a selection would take on this machine, said before anything runs (--dry-run).
// A model, not a measurement: each benchmark's job time from the machine's read bandwidth (the
// sums) or the schedule model (the task sets), Google Benchmark's way of repeating a job until a
// repetition lasts at least --min-time, and the rounds' fewest and most repetitions.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "engine/benchmark_list.hpp"
#include "engine/calibration.hpp"
#include "engine/measurement.hpp"

namespace parbench {

// What the model needs of the machine, measured by the calibration.
struct MachineRates {
  double read_bytes_per_second = 0;             // all usable CPUs together
  double read_bytes_per_second_one_thread = 0;  // one thread
  double make_bytes_per_second = 0;             // first touch of a fresh array
  std::size_t calibration_bytes = 0;
  unsigned cpus = 1;
};

// Measures them: the calibration, once, on an array of the calibration size.
MachineRates measure_rates(std::size_t calibration_size);
// The same from a calibration already made, on `array`.
MachineRates rates_of(const Calibration& c, const SumWork& array);

struct RunEstimate {
  std::map<std::string, std::size_t> benchmarks;  // per kernel
  std::size_t total = 0;
  double seconds = 0;       // every benchmark with its fewest repetitions
  double most_seconds = 0;  // every benchmark until its budget or its most repetitions
  // Each benchmark's expected seconds, between its fewest and its most: what a progress line
  // weighs the benchmarks left by.
  std::map<std::string, double> per_benchmark;
};

// Google Benchmark repeats a job until one repetition lasts min_time, aiming at 1.4 times it
// after a few shorter tries in the first repetition: the seconds of one benchmark.
double benchmark_seconds(double job_seconds, unsigned repetitions, double min_time);

// The seconds of one benchmark whose repetitions stop at its budget or at the most allowed:
// the budget is looked at after each repetition, so the last one may pass it.
double budgeted_seconds(double job_seconds, const Measurement& m, double min_time);

// The estimate for the registered benchmarks named in `selected`, with the two calibrations.
RunEstimate estimate_run(const BenchmarkList& benchmarks, const std::vector<std::string>& selected,
                         const Measurement& m, double min_time, const MachineRates& rates);

}  // namespace parbench
