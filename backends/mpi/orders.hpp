#pragma once
// What rank 0 tells the serving ranks, and how either side waits for what it was told or
// asked. Orders go point to point, so that ranks outside a team never hear of its jobs. Rank 0's
// waits have a timeout and count a rank as lost (Liveness::lose) past it or when it died; a
// serving rank waits for as long as rank 0 is there and does not say to leave.
#include <mpi.h>

#include <cstdint>
#include <string>

#include "backends/mpi/liveness.hpp"
#include "backends/mpi/teams.hpp"

namespace parbench::mpi {

// How a job's items are dealt to a team's ranks.
enum class Deal : std::int32_t {
  block,   // one contiguous block per rank
  cyclic,  // rank r takes items r, r + P, ...
  queue,   // ranks take the next piece from a counter on rank 0 (MPI_Fetch_and_op): no master
  master,  // rank 0 hands out the next piece to whichever rank asks, and runs none itself
  window,  // block, over one MPI-3 shared-memory window of the team's host (SharedWindow)
};

enum class OrderKind : std::int32_t {
  open,        // a session: the spec (JSON) of its work follows
  job,         // run the session's work as dealt, send rank 0 the tasks' records (timelines)
               // and add the partial result up on rank 0
  close,       // the session ends
  barriers,    // `count` MPI_Barrier on the team
  allreduces,  // `count` 8-byte MPI_Allreduce on the team
  stop,        // the run is over: finalize and exit
  window,      // the session's array in a shared window: allocate it and write its own block
  state,       // send rank 0 (MPI_Gather) this process's CPU seconds and its last job's CPU
};

// What rank 0 tells a serving rank, sent as bytes: every rank is a copy of the same program.
struct Order {
  OrderKind kind = OrderKind::stop;
  std::int32_t session = 0;
  std::int32_t team = 1;  // ranks in the session's team: the first `team` ranks of the world
  std::int32_t pass = 0;  // Pass
  Deal deal = Deal::block;
  std::int32_t spec_bytes = 0;  // open: length of the spec's JSON
  std::int32_t records = 0;     // job: send rank 0 the tasks' records (its work is a task set)
  std::int32_t threads = 1;     // job, window: OpenMP threads for this rank's share of a sum
  std::uint64_t grain = 1;      // items per piece for queue and master
  std::uint64_t count = 0;      // barriers, allreduces: how many
};

// How a serving rank waits: between jobs it soon sleeps between polls; within a job (a master
// deal's next piece) it spins while each rank has a CPU of its own.
enum class Waiting { between_jobs, within_a_job };

class Orders {
 public:
  // Each is read from the first order on, and must outlive this.
  Orders(const Place& place, const Teams& teams, Liveness& liveness)
      : place_(place), teams_(teams), liveness_(liveness) {}
  Orders(const Orders&) = delete;
  Orders& operator=(const Orders&) = delete;

  // Rank 0: sends `order` to ranks [1, team) and waits until each is sent, after finishing
  // the batch of collectives the serving ranks may be in.
  void send(const Order& order, unsigned team);
  // Rank 0: one MPI_Barrier (kind barriers; returns the team's size) or 8-byte MPI_Allreduce
  // of one per rank (allreduces; returns the sum) over the team of `team` ranks. The serving
  // ranks are told in batches, so that each one timed is the collective alone; a batch left
  // unfinished is finished, untimed as far as it can be, before the next order.
  std::uint64_t collective(OrderKind kind, unsigned team);
  // Rank 0: waits for `request`, at most `timeout` seconds from `began` (monotonic_seconds(),
  // the job's start; -1: now), checking that the ranks [1, team) on this host are alive.
  // Throws WorkerFailure and marks the world lost otherwise. Fills `status`, when given, as
  // MPI_Test does.
  void wait(MPI_Request& request, const std::string& what, unsigned team, double timeout,
            MPI_Status* status = nullptr, double began = -1);

  // A serving rank: the next order from rank 0; exits the process when rank 0 is gone or
  // says to leave.
  Order next();
  // A serving rank: waits for `request`; exits the process when rank 0 is gone (its pid on
  // this host, a lifeline on another) or says to leave.
  void wait_as_server(MPI_Request& request, Waiting waiting = Waiting::between_jobs);

 private:
  std::uint64_t run_collective(OrderKind kind, unsigned team);
  void finish_batch();

  const Place& place_;
  const Teams& teams_;
  Liveness& liveness_;
  // Rank 0: the batch of collectives the serving ranks are in, and how many of it are left.
  OrderKind batch_kind_ = OrderKind::barriers;
  unsigned batch_team_ = 0;
  std::uint64_t batch_left_ = 0;
};

}  // namespace parbench::mpi
