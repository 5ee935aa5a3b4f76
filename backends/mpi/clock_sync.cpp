#include "backends/mpi/clock_sync.hpp"

#include "backends/mpi/tags.hpp"
#include "kernels/tasks.hpp"

namespace parbench::mpi {
namespace {

constexpr int kRounds = 32;

// Rank 0's side with `peer`: sends its clock, reads the peer's, kRounds times.
ClockOffset ping(MPI_Comm comm, int peer) {
  ClockOffset best{0, 1e30};
  for (int i = 0; i < kRounds; ++i) {
    double theirs = 0;
    const double sent = monotonic_seconds();
    MPI_Send(&sent, 1, MPI_DOUBLE, peer, clock_tag, comm);
    MPI_Recv(&theirs, 1, MPI_DOUBLE, peer, clock_tag, comm, MPI_STATUS_IGNORE);
    const double back = monotonic_seconds();
    if (back - sent < best.round_trip) {
      best.round_trip = back - sent;
      best.offset = theirs - (sent + back) / 2;
    }
  }
  return best;
}

// The peer's side: answers each of rank 0's clocks with its own, as soon as it can.
void pong(MPI_Comm comm) {
  for (int i = 0; i < kRounds; ++i) {
    double theirs = 0;
    MPI_Recv(&theirs, 1, MPI_DOUBLE, 0, clock_tag, comm, MPI_STATUS_IGNORE);
    const double mine = monotonic_seconds();
    MPI_Send(&mine, 1, MPI_DOUBLE, 0, clock_tag, comm);
  }
}

}  // namespace

std::vector<ClockOffset> measure_clock_offsets(const Place& place) {
  std::vector<ClockOffset> offsets(place.size);
  for (unsigned r = 1; r < place.size; ++r) {
    if (place.rank == 0)
      offsets[r] = ping(place.comm, static_cast<int>(r));
    else if (static_cast<unsigned>(place.rank) == r)
      pong(place.comm);
  }
  return offsets;
}

}  // namespace parbench::mpi
