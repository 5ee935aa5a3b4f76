#include "benchmarks/calibration.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "backends/backend.hpp"

namespace parbench {
namespace {

using Clock = std::chrono::steady_clock;

// Best time of `repetitions` jobs, after one untimed job that wakes the workers.
double best_job_seconds(Backend& backend, const Policy& policy, std::uint64_t expected,
                        unsigned repetitions) {
  double best = 1e30;
  for (unsigned rep = 0; rep <= repetitions; ++rep) {
    const auto start = Clock::now();
    const std::uint64_t total = backend.run(policy);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (total != expected) throw std::runtime_error("calibration sum came out wrong");
    if (rep > 0) best = std::min(best, seconds);
  }
  return best;
}

// Reads the array with `threads` workers; the first reader makes it.
double read_bytes_per_second(SumWork& work, unsigned threads, unsigned repetitions) {
  const BackendLaunch reader = calibration_backend();
  const PolicyName* blocks = find_policy(*reader.backend, KernelKind::sum, Split::block);
  const Policy policy = parse_policy(*reader.backend, KernelKind::sum, blocks->name, 1);
  auto backend = make_backend(*reader.backend, reader.launch);
  const unsigned obtained = backend->start(work, threads);
  if (obtained != threads) throw std::runtime_error("calibration got fewer threads than asked");
  backend->prepare(policy, FirstTouch::workers);
  return static_cast<double>(work.bytes()) /
         best_job_seconds(*backend, policy, work.expected(), repetitions);
}

}  // namespace

Calibration calibrate_read_bandwidth(SumWork& work, unsigned threads) {
  Calibration c;
  c.bytes = work.bytes();
  c.threads = threads;
  c.repetitions = 7;
  c.bytes_per_second = read_bytes_per_second(work, threads, c.repetitions);
  c.bytes_per_second_one_thread = read_bytes_per_second(work, 1, c.repetitions);
  return c;
}

}  // namespace parbench
