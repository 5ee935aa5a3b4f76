#include "kernels/work.hpp"

#include <sched.h>

namespace parbench {

Work::Work() : last_cpu_(kTrackedWorkers) {
  for (auto& cpu : last_cpu_) cpu.store(-1, std::memory_order_relaxed);
}

void Work::saw(unsigned worker) const {
  if (worker < kTrackedWorkers) last_cpu_[worker].store(sched_getcpu(), std::memory_order_relaxed);
}

std::vector<int> Work::cpus_seen(unsigned workers) const {
  std::vector<int> cpus;
  for (unsigned w = 0; w < workers && w < kTrackedWorkers; ++w)
    cpus.push_back(last_cpu_[w].load(std::memory_order_relaxed));
  return cpus;
}

}  // namespace parbench
