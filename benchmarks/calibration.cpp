#include "benchmarks/calibration.hpp"

#include <algorithm>
#include <barrier>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "kernels/partition.hpp"
#include "kernels/sum.hpp"

namespace parbench {
namespace {

using Clock = std::chrono::steady_clock;

// Best time of `repetitions` reads of the whole array by `threads` threads.
double best_read_seconds(const SumData& data, unsigned threads, unsigned repetitions) {
  std::vector<std::uint64_t> partial(threads);
  std::barrier sync(threads);
  double best = 1e30;
  bool correct = true;
  auto body = [&](unsigned t) {
    const Range r = block_range(data.size(), threads, t);
    for (unsigned rep = 0; rep < repetitions; ++rep) {
      sync.arrive_and_wait();
      const auto start = Clock::now();
      partial[t] = sum_contiguous(data.data(), r.begin, r.end);
      sync.arrive_and_wait();
      if (t == 0) {
        best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
        std::uint64_t total = 0;
        for (auto p : partial) total += p;
        correct &= total == data.expected();
      }
    }
  };
  std::vector<std::thread> others;
  for (unsigned t = 1; t < threads; ++t) others.emplace_back(body, t);
  body(0);
  for (auto& t : others) t.join();
  if (!correct) throw std::runtime_error("calibration sum came out wrong");
  return best;
}

}  // namespace

Calibration calibrate_read_bandwidth(const SumData& data, unsigned threads) {
  Calibration c;
  c.bytes = data.bytes();
  c.threads = threads;
  c.repetitions = 7;
  const double bytes = static_cast<double>(c.bytes);
  c.bytes_per_second = bytes / best_read_seconds(data, threads, c.repetitions);
  c.bytes_per_second_one_thread = bytes / best_read_seconds(data, 1, c.repetitions);
  return c;
}

}  // namespace parbench
