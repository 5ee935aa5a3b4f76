#pragma once
// The machine's read bandwidth, measured once per run: the ceiling every sum is held against.
#include <algorithm>
#include <cstddef>

namespace parbench {

struct Calibration {
  double bytes_per_second = 0;             // all threads together, best repetition
  double bytes_per_second_one_thread = 0;  // one thread, best repetition
  std::size_t bytes = 0;                   // array read (beyond the last-level cache)
  unsigned threads = 0;
  unsigned repetitions = 0;
};

// The measurement before and after a run; a report's ceiling is the better of the two, so
// that no fraction of it is flattered by a slow moment.
struct Calibrations {
  Calibration before;
  Calibration after;
  double best() const { return std::max(before.bytes_per_second, after.bytes_per_second); }
  double best_one_thread() const {
    return std::max(before.bytes_per_second_one_thread, after.bytes_per_second_one_thread);
  }
};

// Reads an array of `elements` uint64_t with `threads` threads, each summing one contiguous
// block with the suite's vectorised kernel; threads are started and released through a barrier
// outside the measured interval. Throws std::runtime_error if a sum comes out wrong.
Calibration calibrate_read_bandwidth(std::size_t elements, unsigned threads);

}  // namespace parbench
