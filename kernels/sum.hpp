#pragma once
// The big sum: a uint64_t array whose element i is i, so the exact total is known.
#include <cstddef>
#include <cstdint>

#include "kernels/work.hpp"
#include "platform/mapping.hpp"

namespace parbench {

// Sum of data[begin, end): contiguous, so the compiler vectorises it.
std::uint64_t sum_contiguous(const std::uint64_t* data, std::size_t begin, std::size_t end);

// Sum of data[start], data[start + stride], ... below end: the strided split data[start::stride].
std::uint64_t sum_strided(const std::uint64_t* data, std::size_t start, std::size_t end,
                          std::size_t stride);

// 0 + 1 + ... + (n - 1), modulo 2^64 as the kernels' unsigned additions wrap.
std::uint64_t expected_sum(std::size_t n);

// The array of one sum, owned by the work that reads it. It is mapped, not touched, when made:
// its pages are placed where the prepare pass first writes them (Backend::prepare).
class SumWork final : public Work {
 public:
  SumWork(std::size_t n, Mapping mapping);

  std::size_t items() const override { return n_; }
  std::uint64_t run(unsigned worker, std::size_t begin, std::size_t end,
                    std::size_t stride) const override;
  bool describe(KernelSpec& spec) const override;
  bool has_data() const override { return true; }
  bool data_shared_across_fork() const override { return mapping_ == Mapping::shared; }

  const std::uint64_t* data() const { return static_cast<const std::uint64_t*>(region_.data()); }
  std::size_t bytes() const { return n_ * sizeof(std::uint64_t); }
  std::uint64_t expected() const { return expected_sum(n_); }
  // Children forked later do not get the array (see MappedRegion::keep_out_of_children).
  void keep_out_of_children() { region_.keep_out_of_children(); }

 protected:
  void prepare(unsigned worker, std::size_t begin, std::size_t end, std::size_t stride) override;

 private:
  MappedRegion region_;
  std::size_t n_;
  Mapping mapping_;
};

}  // namespace parbench
