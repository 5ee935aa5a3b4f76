#include <gtest/gtest.h>

#include <vector>

#include "kernels/partition.hpp"
#include "kernels/sum.hpp"

namespace parbench {
namespace {

const std::vector<std::size_t> kParts = {1, 2, 3, 7, 64};

std::vector<std::size_t> shapes(std::size_t p) {
  return {0, 1, p - 1, p, p + 1, 100'003};
}

TEST(Partition, BlocksCoverEveryIndexOnceInOrder) {
  for (std::size_t p : kParts)
    for (std::size_t n : shapes(p)) {
      std::vector<int> seen(n);
      std::size_t expected_begin = 0;
      for (std::size_t i = 0; i < p; ++i) {
        const Range r = block_range(n, p, i);
        EXPECT_EQ(r.begin, expected_begin) << "n=" << n << " p=" << p << " i=" << i;
        EXPECT_LE(r.size(), n / p + 1);
        EXPECT_GE(r.size(), n / p);
        for (std::size_t k = r.begin; k < r.end; ++k) ++seen[k];
        expected_begin = r.end;
      }
      EXPECT_EQ(expected_begin, n);
      for (std::size_t k = 0; k < n; ++k) ASSERT_EQ(seen[k], 1) << "n=" << n << " p=" << p;
    }
}

TEST(Partition, StridedSlicesCoverEveryIndexOnce) {
  for (std::size_t p : kParts)
    for (std::size_t n : shapes(p)) {
      std::vector<int> seen(n);
      std::size_t counted = 0;
      for (std::size_t s = 0; s < p; ++s) {
        for (std::size_t k = s; k < n; k += p) ++seen[k];
        counted += strided_count(n, s, p);
      }
      EXPECT_EQ(counted, n);
      for (std::size_t k = 0; k < n; ++k) ASSERT_EQ(seen[k], 1);
    }
}

TEST(Partition, PieceCountRoundsUp) {
  EXPECT_EQ(piece_count(0, 4), 0u);
  EXPECT_EQ(piece_count(1, 4), 1u);
  EXPECT_EQ(piece_count(8, 4), 2u);
  EXPECT_EQ(piece_count(9, 4), 3u);
}

TEST(SumKernel, ContiguousAndStridedAgreeWithTheClosedForm) {
  SumWork data(100'003, Mapping::private_pages);
  data.prepare_serially();
  EXPECT_EQ(sum_contiguous(data.data(), 0, data.items()), data.expected());
  std::uint64_t strided = 0;
  for (std::size_t s = 0; s < 7; ++s) strided += sum_strided(data.data(), s, data.items(), 7);
  EXPECT_EQ(strided, data.expected());
  EXPECT_EQ(sum_contiguous(data.data(), 10, 13), 10u + 11u + 12u);
}

TEST(SumKernel, ExpectedSumWrapsLikeTheKernel) {
  EXPECT_EQ(expected_sum(0), 0u);
  EXPECT_EQ(expected_sum(1), 0u);
  EXPECT_EQ(expected_sum(4), 6u);
  // 2^33 elements: n(n-1)/2 overflows 64 bits; the kernel's additions wrap the same way.
  const unsigned __int128 n = std::uint64_t{1} << 33;
  EXPECT_EQ(expected_sum(std::size_t{1} << 33), static_cast<std::uint64_t>(n * (n - 1) / 2));
}

}  // namespace
}  // namespace parbench
