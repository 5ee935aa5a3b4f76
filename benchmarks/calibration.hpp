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

// The measurement before a run is its ceiling; the one after says whether the machine changed
// under the run (a shared host's bandwidth was seen to jump between 30 and 43 GB/s here).
struct Calibrations {
  Calibration before;
  Calibration after;
  double drift() const { return after.bytes_per_second / before.bytes_per_second - 1; }
};

// Reads an array of `elements` uint64_t with `threads` threads, each summing one contiguous
// block with the suite's vectorised kernel; threads are started and released through a barrier
// outside the measured interval. Throws std::runtime_error if a sum comes out wrong.
Calibration calibrate_read_bandwidth(std::size_t elements, unsigned threads);

}  // namespace parbench
