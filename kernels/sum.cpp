#include "kernels/sum.hpp"

#include "kernels/spec.hpp"

namespace parbench {

std::uint64_t sum_contiguous(const std::uint64_t* data, std::size_t begin, std::size_t end) {
  std::uint64_t total = 0;
  for (std::size_t i = begin; i < end; ++i) total += data[i];
  return total;
}

std::uint64_t sum_strided(const std::uint64_t* data, std::size_t start, std::size_t end,
                          std::size_t stride) {
  std::uint64_t total = 0;
  for (std::size_t i = start; i < end; i += stride) total += data[i];
  return total;
}

std::uint64_t expected_sum(std::size_t n) {
  const std::uint64_t m = n;
  return m % 2 == 0 ? (m / 2) * (m - 1) : m * ((m - 1) / 2);
}

SumWork::SumWork(std::size_t n, Mapping mapping)
    : region_(n * sizeof(std::uint64_t), mapping), n_(n), mapping_(mapping) {}

bool SumWork::describe(KernelSpec& spec) const {
  spec = KernelSpec{};
  spec.kernel = "sum";
  spec.size = n_;
  spec.mapping = mapping_;
  return true;
}

void SumWork::prepare(unsigned worker, std::size_t begin, std::size_t end, std::size_t stride) {
  saw(worker);
  auto* values = static_cast<std::uint64_t*>(region_.data());
  for (std::size_t i = begin; i < end; i += stride) values[i] = i;
}

std::uint64_t SumWork::run(unsigned worker, std::size_t begin, std::size_t end,
                           std::size_t stride) const {
  saw(worker);
  return stride == 1 ? sum_contiguous(data(), begin, end) : sum_strided(data(), begin, end, stride);
}

}  // namespace parbench
