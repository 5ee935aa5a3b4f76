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

// The array, made and first-touched once (by the calling thread), before any timing.
class SumData {
 public:
  SumData(std::size_t n, Mapping mapping);
  const std::uint64_t* data() const { return static_cast<const std::uint64_t*>(region_.data()); }
  std::size_t size() const { return n_; }
  std::size_t bytes() const { return n_ * sizeof(std::uint64_t); }
  std::uint64_t expected() const { return expected_sum(n_); }
  void keep_out_of_children() { region_.keep_out_of_children(); }

 private:
  MappedRegion region_;
  std::size_t n_;
};

class SumWork final : public Work {
 public:
  explicit SumWork(const SumData& data) : data_(data) {}
  std::size_t items() const override { return data_.size(); }
  std::uint64_t run(unsigned worker, std::size_t begin, std::size_t end,
                    std::size_t stride) const override;

 private:
  const SumData& data_;
};

}  // namespace parbench
