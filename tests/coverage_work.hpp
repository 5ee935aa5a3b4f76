#pragma once
// A Work that counts how often each item is run, in shared memory so that forked workers'
// counts reach the parent: a policy must run every item exactly once.
#include <atomic>

#include "kernels/work.hpp"
#include "platform/mapping.hpp"

namespace parbench::testing {

class CoverageWork final : public Work {
 public:
  explicit CoverageWork(std::size_t n) : counts_(n) {}
  std::size_t items() const override { return counts_.size(); }
  std::uint64_t run(unsigned, std::size_t begin, std::size_t end,
                    std::size_t stride) const override {
    std::uint64_t ran = 0;
    for (std::size_t i = begin; i < end; i += stride, ++ran)
      counts_[i].fetch_add(1, std::memory_order_relaxed);
    return ran;
  }
  // Index of the first item not run exactly once, or items() when all were.
  std::size_t first_miscounted() const {
    for (std::size_t i = 0; i < counts_.size(); ++i)
      if (counts_[i].load() != 1) return i;
    return counts_.size();
  }
  void reset() {
    for (auto& c : counts_) c.store(0);
  }

 private:
  SharedArray<std::atomic<std::uint32_t>> counts_;
};

}  // namespace parbench::testing
