#pragma once
// A team's one-sided counter: a window of one integer on the team's rank 0, locked for the whole
// run (passive target), from which each member takes the next piece of a queue deal with
// MPI_Fetch_and_op, rank 0 taking no part. Open MPI may have no one-sided component that works
// between the team's ranks: the team then has no counter and says why (Team::no_counter).
#include "backends/mpi/teams.hpp"

namespace parbench::mpi {

// The setting that gives Open MPI's one-sided windows a component that works over TCP.
inline constexpr const char* kOneSidedOverTcp = "OMPI_MCA_osc=sm,pt2pt";

// Collective over the team (this rank is `rank` of the world): makes its counter, at 0, or
// says in `team.no_counter` why it has none.
void open_counter(Team& team, int rank);
// Collective over the team again; no-op for a team without a counter.
void close_counter(Team& team);

}  // namespace parbench::mpi
