#include "kernels/work.hpp"

#include <sched.h>

#include <chrono>

#include "kernels/partition.hpp"

namespace parbench {

Work::Work() : last_cpu_(kTrackedWorkers) {
  forget_cpus_seen();
}

void Work::forget_cpus_seen() {
  for (auto& cpu : last_cpu_) cpu.store(-1, std::memory_order_relaxed);
}

void Work::saw(unsigned worker) const {
  if (worker < kTrackedWorkers) last_cpu_[worker].store(sched_getcpu(), std::memory_order_relaxed);
}

void Work::record_cpu_seen(unsigned worker, int cpu) {
  if (worker < kTrackedWorkers) last_cpu_[worker].store(cpu, std::memory_order_relaxed);
}

std::vector<int> Work::cpus_seen(unsigned workers) const {
  std::vector<int> cpus;
  for (unsigned w = 0; w < workers && w < kTrackedWorkers; ++w)
    cpus.push_back(last_cpu_[w].load(std::memory_order_relaxed));
  return cpus;
}

std::uint64_t Work::apply(Pass pass, unsigned worker, std::size_t begin, std::size_t end,
                          std::size_t stride) {
  if (pass == Pass::compute) return run(worker, begin, end, stride);
  prepare(worker, begin, end, stride);
  return strided_count(end, begin, stride);
}

void Work::prepare_serially() {
  const auto begin = std::chrono::steady_clock::now();
  apply(Pass::prepare, 0, 0, items(), 1);
  made_ = Made::serially;
  made_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

}  // namespace parbench
