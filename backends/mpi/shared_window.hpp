#pragma once
// A sum's array in one MPI-3 shared-memory window of a team on one host
// (MPI_Win_allocate_shared), for the window deal: each rank's segment is its block of the
// array, which it writes first (its pages are placed by that first touch) and sums reading the
// shared memory directly: MPI's way for the ranks of one host to share memory, as threads do.
#include <mpi.h>

#include <cstddef>
#include <cstdint>

#include "backends/mpi/teams.hpp"

namespace parbench::mpi {

struct SharedWindow {
  MPI_Win win = MPI_WIN_NULL;
  std::uint64_t* mine = nullptr;  // this rank's segment: items [first, first + count)
  std::size_t first = 0, count = 0;
};

// Collective over `team`: allocates the window of a sum of `items` and writes this rank's
// block (element i is i, as SumWork's). Rank 0 then reads every segment through the window
// once and throws std::runtime_error when the whole is not the expected sum (the memory is not
// shared after all).
SharedWindow open_shared_window(const Team& team, unsigned rank, std::size_t items,
                                unsigned threads);
// This rank's partial result: its own segment, read where it lies by `threads` threads.
std::uint64_t sum_own_segment(const SharedWindow& window, unsigned threads);
// Collective over the team again; no-op for a window never opened.
void close_shared_window(SharedWindow& window);

}  // namespace parbench::mpi
