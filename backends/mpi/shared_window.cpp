#include "backends/mpi/shared_window.hpp"

#include <stdexcept>
#include <string>

#include "backends/mpi/errors.hpp"
#include "backends/mpi/threads.hpp"
#include "backends/mpi/world.hpp"
#include "kernels/partition.hpp"
#include "kernels/sum.hpp"

namespace parbench::mpi {
namespace {

// This rank's segment of the window, written by the threads that will read it, as the ranks'
// blocks are.
void write_own_block(SharedWindow& w, unsigned threads) {
  on_threads(0, w.count, 1, threads, [&w](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t i = begin; i < end; ++i) w.mine[i] = w.first + i;
    return std::uint64_t{end - begin};
  });
}

// Every rank's block written and visible to the others: MPI_Win_sync, the fence the unified
// memory model asks for between a rank's stores and another's loads, on both sides of a barrier.
void wait_for_every_block(const SharedWindow& w, const Team& team, unsigned rank) {
  MPI_Win_sync(w.win);
  MPI_Request written;
  MPI_Ibarrier(team.comm, &written);
  if (rank == 0)
    world()->wait(written, "the window's blocks to be written", team.size, control_timeout());
  else
    world()->wait_as_server(written);
  MPI_Win_sync(w.win);
}

// Rank 0 reads every segment through the window: the memory is shared only if the whole reads
// as the array's sum.
void check_reads_whole(const SharedWindow& w, const Team& team, std::size_t items) {
  std::uint64_t total = 0;
  for (unsigned r = 0; r < team.size; ++r) {
    MPI_Aint bytes = 0;
    int unit = 0;
    void* segment = nullptr;
    MPI_Win_shared_query(w.win, static_cast<int>(r), &bytes, &unit, &segment);
    const auto n = static_cast<std::size_t>(bytes) / sizeof(std::uint64_t);
    if (n > 0) total += sum_contiguous(static_cast<const std::uint64_t*>(segment), 0, n);
  }
  if (total != expected_sum(items))
    throw std::runtime_error("the shared window reads " + std::to_string(total) +
                             " through rank 0, expected " + std::to_string(expected_sum(items)));
}

}  // namespace

SharedWindow open_shared_window(const Team& team, unsigned rank, std::size_t items,
                                unsigned threads) {
  SharedWindow w;
  const Range block = block_range(items, team.size, rank);
  w.first = block.begin;
  w.count = block.size();
  void* base = nullptr;
  throw_if_failed(
      MPI_Win_allocate_shared(static_cast<MPI_Aint>(w.count * sizeof(std::uint64_t)),
                              sizeof(std::uint64_t), MPI_INFO_NULL, team.comm, &base, &w.win),
      "MPI_Win_allocate_shared (every rank of the team must be on one host)");
  w.mine = static_cast<std::uint64_t*>(base);
  // Passive target for the window's life: loads and stores, fenced by MPI_Win_sync.
  MPI_Win_lock_all(MPI_MODE_NOCHECK, w.win);
  write_own_block(w, threads);
  wait_for_every_block(w, team, rank);
  if (rank == 0) check_reads_whole(w, team, items);
  return w;
}

std::uint64_t sum_own_segment(const SharedWindow& window, unsigned threads) {
  return on_threads(0, window.count, 1, threads,
                    [&window](std::size_t begin, std::size_t end, std::size_t) {
                      return sum_contiguous(window.mine, begin, end);
                    });
}

void close_shared_window(SharedWindow& window) {
  if (window.win == MPI_WIN_NULL) return;
  MPI_Win_unlock_all(window.win);
  MPI_Win_free(&window.win);
  window = SharedWindow{};
}

}  // namespace parbench::mpi
