#pragma once
// A rank's share over OpenMP threads (MPI+X): each rank may run its share of a sum on several
// threads, split again as the ranks split the array, so that the threads of a block read a
// contiguous part and those of a cyclic share interleave. Only MPI's own thread calls MPI
// (MPI_THREAD_FUNNELED); the threads only read and write memory.
#include <cstddef>
#include <cstdint>

#include "kernels/partition.hpp"

namespace parbench::mpi {

// Runs piece(begin, end, stride) on each of `threads` OpenMP threads' part of the items begin,
// begin + stride, ... below end (a contiguous share in sub-blocks, a strided one cyclically),
// and adds up what they return.
template <typename Piece>
std::uint64_t on_threads(std::size_t begin, std::size_t end, std::size_t stride, unsigned threads,
                         const Piece& piece) {
  if (begin >= end) return 0;
  if (threads <= 1) return piece(begin, end, stride);
  std::uint64_t total = 0;
  const int count = static_cast<int>(threads);
#ifdef PARBENCH_HAVE_OPENMP
#pragma omp parallel for num_threads(count) reduction(+ : total) schedule(static, 1)
#endif
  for (int t = 0; t < count; ++t) {
    const auto i = static_cast<std::size_t>(t);
    if (stride == 1) {
      const Range sub = block_range(end - begin, threads, i);
      if (sub.size() > 0) total += piece(begin + sub.begin, begin + sub.end, std::size_t{1});
    } else if (begin + i * stride < end) {
      total += piece(begin + i * stride, end, stride * threads);
    }
  }
  return total;
}

}  // namespace parbench::mpi
