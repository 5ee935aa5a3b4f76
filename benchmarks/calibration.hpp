#pragma once
// The machine's read bandwidth, measured once per run: the ceiling every sum is held against.
#include <algorithm>
#include <cstddef>

#include "kernels/sum.hpp"

namespace parbench {

struct Calibration {
  double bytes_per_second = 0;             // all threads together, best repetition
  double bytes_per_second_one_thread = 0;  // one thread, best repetition
  std::size_t bytes = 0;                   // array read (beyond the last-level cache)
  unsigned threads = 0;
  unsigned repetitions = 0;
};

// Measured before and after a run: the higher is the run's ceiling (a read disturbed by a
// neighbour only lowers it), and the change says whether the machine changed under the run (a
// shared host's bandwidth was seen to move between 30 and 43, and between 52 and 67 GB/s).
struct Calibrations {
  Calibration before;
  Calibration after;
  double drift() const { return after.bytes_per_second / before.bytes_per_second - 1; }
  double ceiling() const { return std::max(before.bytes_per_second, after.bytes_per_second); }
  double ceiling_one_thread() const {
    return std::max(before.bytes_per_second_one_thread, after.bytes_per_second_one_thread);
  }
};

// Reads `data` with `threads` threads, each summing one contiguous
// block with the suite's vectorised kernel; threads are started and released through a barrier
// outside the measured interval. Throws std::runtime_error if a sum comes out wrong.
Calibration calibrate_read_bandwidth(const SumData& data, unsigned threads);

}  // namespace parbench
