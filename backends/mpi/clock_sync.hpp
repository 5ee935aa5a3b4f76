#pragma once
// The other ranks' clocks as rank 0 reads them: a task's timeline from another rank is placed
// on rank 0's job clock, and another host's CLOCK_MONOTONIC is not rank 0's. Measured once at
// set-up, by ping-pong.
#include <vector>

#include "backends/mpi/teams.hpp"

namespace parbench::mpi {

// What rank 0 knows of one rank's clock: seconds to subtract from its CLOCK_MONOTONIC to read
// rank 0's, and the shortest round trip of the ping-pong that measured it.
struct ClockOffset {
  double offset = 0;
  double round_trip = 0;
};

// Collective over the world, each rank with rank 0 in turn: on rank 0, every rank's offset (its
// own 0); elsewhere, zeros. The offset of the exchange with the shortest round trip, whose
// midpoint is known best (as NTP does). On one host the clocks are the same one, and the
// offsets show how well this is measured.
std::vector<ClockOffset> measure_clock_offsets(const Place& place);

}  // namespace parbench::mpi
