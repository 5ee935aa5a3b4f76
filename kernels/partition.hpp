#pragma once
// How n items are cut into pieces. Pure arithmetic, no threading: every backend's static
// policies and every test of coverage use these.
#include <cstddef>

namespace parbench {

struct Range {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
};

// Piece i of n items cut into `parts` contiguous blocks whose sizes differ by at most one
// (the first n % parts blocks are one longer), the assignment OpenMP's schedule(static) makes.
Range block_range(std::size_t n, std::size_t parts, std::size_t i);

// How many of the indices start, start + stride, ... lie below n: the size of data[start::stride].
std::size_t strided_count(std::size_t n, std::size_t start, std::size_t stride);

// Number of pieces of at most `grain` items that cover n items.
inline std::size_t piece_count(std::size_t n, std::size_t grain) {
  return (n + grain - 1) / grain;
}

}  // namespace parbench
