#pragma once
// The machine's read bandwidth, measured once per run: the ceiling every sum is held against.
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

// Reads `work`'s array with `threads` workers of the calibration backend (a kept thread pool),
// each summing one contiguous block with the suite's vectorised kernel, then with one. The
// first call has the workers make the array (first touch, as every sum's data). Throws
// std::runtime_error if a sum comes out wrong, WorkerFailure if a worker cannot be started.
Calibration calibrate_read_bandwidth(SumWork& work, unsigned threads);

}  // namespace parbench
