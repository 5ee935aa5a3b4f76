#pragma once
// Ending mpirun where Open MPI 4.1's would not end by itself: under --enable-recovery, mpirun
// never ends once a job on several hosts lost a rank, even after every other rank has left (a
// plain program shows it too). So a rank on mpirun's host ends it (end_mpirun): rank 0, its
// report written, after a rank was lost; a serving rank when rank 0 is gone. Rank 0 may die with
// no other rank on its host to do that: it keeps a guard process that ends mpirun then
// (MpirunGuard). On one host mpirun ends as it should: the guard is released at once.
#include <sys/types.h>

#include <string>
#include <utility>

namespace parbench::mpi {

// The mpirun this process was started by, and its name; 0 when the launcher is another (srun,
// a wrapper script, Open MPI's daemon on another host).
std::pair<pid_t, std::string> open_mpi_launcher();

// Ends (SIGTERM) the mpirun that started this process, rank `rank`, with a line on stderr;
// nothing when another launcher started it. For a job on several hosts that lost a rank:
// whether recovery is on cannot be read reliably from a rank (the command line, environment,
// parameter files and tune files all set it), and without it mpirun is ending the job anyway.
void end_mpirun(int rank);

// Rank 0's guard: a process of its own that ends mpirun if rank 0 ends without finishing
// (killed, or its run ended early). No destructor releases it: a rank 0 whose set-up failed
// ends without finishing too.
class MpirunGuard {
 public:
  // In rank 0 that mpirun started on this host, before MPI starts (no MPI file descriptor, no
  // lifeline anchor to keep open); nothing elsewhere.
  void start();
  // Rank 0 finished: the guard leaves mpirun alone, and is reaped. No-op once released.
  void release();

 private:
  int pipe_ = -1;  // to the guard: a byte means rank 0 finished, its end without one that it died
  int pid_ = 0;
};

}  // namespace parbench::mpi
