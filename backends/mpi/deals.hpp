#pragma once
// A job's items dealt to a team's ranks (Deal): the share each rank runs, on every rank alike,
// and rank 0's part of a master deal, handing pieces out.
#include <cstddef>
#include <cstdint>

#include "backends/mpi/orders.hpp"
#include "backends/mpi/teams.hpp"
#include "kernels/work.hpp"

namespace parbench::mpi {

class World;

// Runs the items team rank `rank` of `ranks` takes under `deal` for `pass` and returns its
// partial result. `team` is null for a team of one (no MPI call is made). Block and cyclic
// shares are split again over `threads` OpenMP threads (MPI+X), the same way.
std::uint64_t run_rank_share(Work& work, Pass pass, Deal deal, std::uint64_t grain,
                             const Team* team, unsigned rank, unsigned threads = 1);

// Rank 0 of a master deal: hands out pieces of `grain` of `items` to ranks [1, team) on request
// until each has been told there are no more, within job_timeout() of the job's start `began`.
void hand_out_pieces(World& w, const Team& team, std::size_t items, std::uint64_t grain,
                     double began);

}  // namespace parbench::mpi
