#include "backends/mpi/deals.hpp"

#include <algorithm>
#include <stdexcept>

#include "backends/mpi/tags.hpp"
#include "backends/mpi/threads.hpp"
#include "backends/mpi/world.hpp"
#include "kernels/partition.hpp"

namespace parbench::mpi {
namespace {

// A queue deal: this rank takes the next piece from the team's counter until none is left.
std::uint64_t take_from_counter(Work& work, Pass pass, std::uint64_t grain, const Team& team,
                                unsigned rank) {
  const std::size_t n = work.items();
  std::uint64_t total = 0;
  for (;;) {
    std::uint64_t begin = 0;
    MPI_Fetch_and_op(&grain, &begin, MPI_UINT64_T, 0, 0, MPI_SUM, team.counter);
    MPI_Win_flush(0, team.counter);
    if (begin >= n) return total;
    total += work.apply(pass, rank, begin, std::min<std::size_t>(n, begin + grain), 1);
  }
}

// A master deal, on a rank other than 0: it asks rank 0 for its next piece until told there
// is none left.
std::uint64_t ask_for_pieces(Work& work, Pass pass, std::uint64_t grain, const Team& team,
                             unsigned rank) {
  const std::size_t n = work.items();
  std::uint64_t total = 0;
  for (;;) {
    std::uint64_t begin = 0;
    const int want = 1;
    MPI_Request asked = MPI_REQUEST_NULL, answered = MPI_REQUEST_NULL;
    if (MPI_Isend(&want, 1, MPI_INT, 0, request_tag, team.comm, &asked) != MPI_SUCCESS ||
        MPI_Irecv(&begin, 1, MPI_UINT64_T, 0, reply_tag, team.comm, &answered) != MPI_SUCCESS)
      throw std::runtime_error("cannot ask rank 0 for a piece: MPI failed");
    world()->wait_as_server(asked, World::Waiting::within_a_job);
    world()->wait_as_server(answered, World::Waiting::within_a_job);
    if (begin >= n) return total;
    total += work.apply(pass, rank, begin, std::min<std::size_t>(n, begin + grain), 1);
  }
}

}  // namespace

std::uint64_t run_rank_share(Work& work, Pass pass, Deal deal, std::uint64_t grain,
                             const Team* team, unsigned rank, unsigned threads) {
  const std::size_t n = work.items();
  const auto apply = [&](std::size_t begin, std::size_t end, std::size_t stride) {
    return work.apply(pass, rank, begin, end, stride);
  };
  if (team == nullptr || team->size == 1) return on_threads(0, n, 1, threads, apply);
  const unsigned ranks = team->size;
  switch (deal) {
    case Deal::block:
    case Deal::window: {  // a window's ranks sum their segment (sum_own_segment) instead
      const Range r = block_range(n, ranks, rank);
      return on_threads(r.begin, r.end, 1, threads, apply);
    }
    case Deal::cyclic:
      return on_threads(rank, n, ranks, threads, apply);
    case Deal::queue:
      return take_from_counter(work, pass, grain, *team, rank);
    case Deal::master:
      if (rank == 0) return 0;  // rank 0 hands out the pieces (hand_out_pieces)
      return ask_for_pieces(work, pass, grain, *team, rank);
  }
  return 0;
}

void hand_out_pieces(World& w, const Team& team, std::size_t items, std::uint64_t grain,
                     double began) {
  std::uint64_t next = 0;
  unsigned told_none_left = 0;
  while (told_none_left + 1 < team.size) {
    int want = 0;
    MPI_Status status;
    MPI_Request request;
    if (MPI_Irecv(&want, 1, MPI_INT, MPI_ANY_SOURCE, request_tag, team.comm, &request) !=
        MPI_SUCCESS)
      w.lose("cannot wait for a rank to ask for a piece: MPI failed");
    w.wait(request, "a rank to ask for a piece", team.size, job_timeout(), &status, began);
    const std::uint64_t piece = next < items ? next : items;
    if (next >= items) ++told_none_left;
    next += grain;
    MPI_Request reply;
    if (MPI_Isend(&piece, 1, MPI_UINT64_T, status.MPI_SOURCE, reply_tag, team.comm, &reply) !=
        MPI_SUCCESS)
      w.lose("cannot hand a piece out: MPI failed");
    w.wait(reply, "a piece to be handed out", team.size, job_timeout(), nullptr, began);
  }
}

}  // namespace parbench::mpi
