#pragma once
// The world's communicators: parbench's own over every rank mpirun started, and the teams, one
// for each size a job may ask for. A backend started with W workers runs on the team of the
// first W ranks, so that ranks outside it never hear of its jobs; every team is made once at
// set-up, as making one is collective over the whole world.
#include <mpi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parbench::mpi {

// This process's place in the world: its rank, the world's size, parbench's communicator over
// it, and whether its host runs more ranks than this process may use CPUs (waiting ranks then
// yield and sleep).
struct Place {
  int rank = 0;
  unsigned size = 1;
  MPI_Comm comm = MPI_COMM_NULL;
  bool crowded = false;
};

// MPI_Init_thread (MPI_THREAD_FUNNELED: only this thread calls MPI) and this rank's place.
// Throws std::runtime_error when MPI cannot start.
Place start_mpi();
// Frees the place's communicator and finalizes MPI.
void finish_mpi(Place& place);

// A team: the first `size` ranks, their communicator, and a counter on its rank 0 that every
// member may take from (a window locked for the whole run, passive target: counter.hpp).
struct Team {
  unsigned size = 0;
  MPI_Comm comm = MPI_COMM_NULL;
  MPI_Win counter = MPI_WIN_NULL;
  std::uint64_t* counter_base = nullptr;
  // Why the team has no counter ("" when it has one): Open MPI may have no one-sided component
  // that works between its ranks (over TCP between hosts, its default choice fails).
  std::string no_counter;
};

class Teams {
 public:
  // Collective over the world: the teams of every size up to 16, then of the powers of two and
  // of the world's size, each with its counter. Throws std::runtime_error when a communicator
  // cannot be made.
  void set_up(const Place& place);
  // Frees every team's counter and communicator; before MPI_Finalize.
  void free();

  // The team of the first `size` ranks; null in a rank outside it or for a size not set up.
  const Team* team(unsigned size) const;
  // The largest team set up of at most `ranks` ranks (at least 1).
  unsigned team_size_for(unsigned ranks) const;
  // Why the smallest team of several ranks without a counter has none, if one has none.
  std::optional<std::string> why_no_counter() const;

 private:
  unsigned world_size_ = 1;
  std::vector<Team> teams_;  // by size; size 0 unused
};

}  // namespace parbench::mpi
