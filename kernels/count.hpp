#pragma once
// The empty job: each item counts one. What is left to time is handing the job to the workers
// and collecting their results, i.e. a backend's dispatch cost.
#include "kernels/spec.hpp"
#include "kernels/work.hpp"

namespace parbench {

class CountWork final : public Work {
 public:
  explicit CountWork(std::size_t items) : items_(items) {}
  std::size_t items() const override { return items_; }
  bool describe(KernelSpec& spec) const override {
    spec = KernelSpec{};
    spec.kernel = "count";
    spec.size = items_;
    return true;
  }
  std::uint64_t run(unsigned, std::size_t begin, std::size_t end,
                    std::size_t stride) const override {
    return begin < end ? (end - begin + stride - 1) / stride : 0;
  }

 private:
  std::size_t items_;
};

}  // namespace parbench
