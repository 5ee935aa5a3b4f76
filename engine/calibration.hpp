#pragma once
// The machine's read bandwidth, measured once per run: the ceiling every sum is held against.
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kernels/sum.hpp"

namespace parbench {

// One read of the array: with all threads, then with one (each the best of its repetitions).
struct CalibrationRead {
  double bytes_per_second = 0;
  double bytes_per_second_one_thread = 0;
  std::optional<std::string> doubt;  // why it was read again; none when it was believed
};

struct Calibration {
  double bytes_per_second = 0;             // all threads together, best of the reads
  double bytes_per_second_one_thread = 0;  // one thread, best of the reads
  std::vector<CalibrationRead> reads;      // every read, in order
  std::size_t bytes = 0;                   // array read (beyond the last-level cache)
  unsigned threads = 0;
  unsigned repetitions = 0;
};

// Reads `work`'s array with `threads` workers of the calibration backend (a kept thread pool),
// each summing one contiguous block with the suite's vectorised kernel, then with one. The
// first call has the workers make the array (first touch, as every sum's data). Throws
// std::runtime_error if a sum comes out wrong, WorkerFailure if a worker cannot be started.
// A disturbed read (a busy neighbour, a migration) is doubted: `doubt` says why, or nothing when
// it believes it, from the read and the reads before it in this calibration; the array is then
// read again, up to kMostCalibrationReads times in all.
using Doubt = std::function<std::optional<std::string>(
    const CalibrationRead& read, const std::vector<CalibrationRead>& earlier)>;
inline constexpr int kMostCalibrationReads = 4;
Calibration calibrate_read_bandwidth(SumWork& work, unsigned threads, const Doubt& doubt = nullptr);

// Doubts: several threads that read slower than one; a first read, or one more than `tolerance`
// away from the read before it (a read is believed once another confirms it); a read more than
// `tolerance` away from an earlier calibration's (the one before the benchmarks). Each says why,
// or nothing when the read is believed.
std::optional<std::string> doubt_alone(const CalibrationRead& read, unsigned threads);
std::optional<std::string> doubt_unconfirmed(const CalibrationRead& read,
                                             const std::vector<CalibrationRead>& earlier,
                                             double tolerance);
std::optional<std::string> doubt_against(const CalibrationRead& read, const Calibration& earlier,
                                         double tolerance);

// {bytes_per_second, bytes_per_second_one_thread, reads: [{..., read_again: why}]}, as the
// report's context keeps a calibration.
nlohmann::json calibration_json(const Calibration& c);

}  // namespace parbench
