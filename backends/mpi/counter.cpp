#include "backends/mpi/counter.hpp"

#include <cstdint>
#include <string>

#include "backends/mpi/errors.hpp"

namespace parbench::mpi {

// Every member learns whether all could make the window: one that only some hold is never used,
// nor freed (freeing is collective).
void open_counter(Team& team, int rank) {
  void* base = nullptr;
  const int code = MPI_Win_allocate(rank == 0 ? sizeof(std::uint64_t) : 0, sizeof(std::uint64_t),
                                    MPI_INFO_NULL, team.comm, &base, &team.counter);
  int made = code == MPI_SUCCESS ? 1 : 0, all_made = 0;
  throw_if_failed(MPI_Allreduce(&made, &all_made, 1, MPI_INT, MPI_MIN, team.comm), "MPI_Allreduce");
  if (all_made == 1) {
    team.counter_base = static_cast<std::uint64_t*>(base);
    if (rank == 0) *team.counter_base = 0;
    MPI_Win_lock_all(MPI_MODE_NOCHECK, team.counter);
    return;
  }
  team.counter = MPI_WIN_NULL;
  team.no_counter = "MPI_Win_allocate over the team's " + std::to_string(team.size) +
                    " ranks failed (" +
                    (made == 1 ? std::string("on another rank") : mpi_error_text(code)) +
                    "): Open MPI has no one-sided component that works between these ranks; "
                    "over TCP give mpirun -x " +
                    kOneSidedOverTcp;
}

void close_counter(Team& team) {
  if (team.counter == MPI_WIN_NULL) return;
  MPI_Win_unlock_all(team.counter);
  MPI_Win_free(&team.counter);
}

}  // namespace parbench::mpi
