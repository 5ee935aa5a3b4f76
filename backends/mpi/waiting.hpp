#pragma once
// How a rank waits for MPI. Open MPI's blocking calls spin, and a rank that spins while it waits
// takes a CPU from whoever works: rank 0's other backends between MPI's jobs, a busy rank when
// ranks outnumber CPUs. So a rank polls (Patience), and each wait has a timeout and looks now
// and then at whether what it waits for is still there (Watched): a rank that died never
// answers, and MPI's own calls would wait for it for ever.
#include <mpi.h>

#include <optional>
#include <string>

#include "backends/mpi/lifeline.hpp"

namespace parbench::mpi {

// How long rank 0 waits for what it asked before it counts a rank as lost: for opening a
// session, timelines, a batch (30 s), and for a job from its start (120 s: a task set may ask
// for kMaxSerialSeconds serially). Both stay under the run's watchdog (set_watchdog): rank 0
// loses the rank, tells the others to leave and writes its report before the watchdog would
// end it.
double control_timeout();
double job_timeout();
void set_watchdog(double job_watchdog_seconds);

// A poll's pause: a rank spins only briefly, or yields when crowded (more ranks on its host than
// CPUs), and then sleeps between polls, longer the longer it has waited (at most a fiftieth of
// it).
class Patience {
 public:
  Patience(bool crowded, double spin_seconds, double longest_sleep);
  void pause();
  double waited() const;

 private:
  bool crowded_;
  double spin_, longest_, began_;
};

// Inside a job (rank 0 for its end, a rank of a master deal for its next piece): spins long
// while each rank has a CPU of its own, briefly when crowded.
Patience in_job_patience(bool crowded);
// A serving rank between jobs: spins a little after its last order, so that jobs sent back to
// back (a dispatch benchmark) find it awake.
Patience between_jobs_patience(bool crowded);

// The process `pid` of this host has ended (a zombie too); never for pid <= 0.
bool process_gone(int pid);

// What a waiting rank watches, to stop waiting for a process that is gone: its pid on this host
// (0: none), a lifeline to it on another (null: none), and its word to leave (leave_tag) as
// rank 0 of `leave_comm` (MPI_COMM_NULL: none).
struct Watched {
  int pid = 0;
  const Lifeline* lifeline = nullptr;
  MPI_Comm leave_comm = MPI_COMM_NULL;
};

// Waits for `request` as a serving rank does (spinning, briefly unless `in_job`, then sleeping
// between polls), at most `timeout` seconds and while `watched` lives and does not say to
// leave: none once it is complete, else why not. Unlike World::wait it neither throws nor marks
// the world lost: for communicators outside the world (MPI_Comm_spawn's) too.
std::optional<std::string> wait_within(MPI_Request& request, const std::string& what,
                                       double timeout, bool crowded, const Watched& watched = {},
                                       bool in_job = false);

}  // namespace parbench::mpi
