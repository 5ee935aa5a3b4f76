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

const char* to_string(Split split) {
  switch (split) {
    case Split::block:
      return "block";
    case Split::cyclic:
      return "cyclic";
    case Split::dynamic:
      return "dynamic";
    case Split::guided:
      return "guided";
    case Split::tbb_auto:
      return "tbb_auto";
    case Split::tbb_simple:
      return "tbb_simple";
    case Split::tbb_static:
      return "tbb_static";
    case Split::tbb_affinity:
      return "tbb_affinity";
    case Split::task_group:
      return "task_group";
    case Split::omp_tasks:
      return "omp_tasks";
  }
  return "unknown";
}

}  // namespace parbench
