#pragma once
// The MPI backend's hooks, which its registry entry hands the command (BackendInfo::launcher):
// nothing outside backends/mpi/ includes this file. Its workers are ranks that mpirun starts,
// copies of this program that share no memory with rank 0: rank 0 runs the harness (Google
// Benchmark, the report) and each other rank serves the jobs rank 0 sends it, made from a kernel
// spec, until it is told to stop. Built when Open MPI is found (PARBENCH_HAVE_MPI); without it
// every hook does nothing and `--ranks` or the backend's name say how to get it (absent.cpp).
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.hpp"

namespace parbench {

// This process was started by mpirun (Open MPI's environment says so).
bool started_by_mpirun();

// Call first in the command, before any thread exists or a signal is blocked, with main's
// arguments: in a rank other than 0 it serves jobs until rank 0 says stop and returns the rank's
// exit status; in a rank that the launch probe comm_spawn started (its first argument says so,
// as its environment cannot: it is rank 0 of a world of its own) it does its one empty job and
// returns its exit status; in rank 0, and outside mpirun, it returns nothing and the command
// goes on.
std::optional<int> serve_if_mpi_rank(int argc, char** argv);

// Rank 0's part, for as long as the run: MPI is started (after the signals are taken over, so
// that MPI's own threads never take an ending signal) and, at the end, the other ranks are told
// to stop. Does nothing outside mpirun.
class MpiRun {
 public:
  MpiRun();
  ~MpiRun();
  MpiRun(const MpiRun&) = delete;
  MpiRun& operator=(const MpiRun&) = delete;
};

// Runs this program again under `mpirun -np ranks` on this host with the same arguments
// (without mpirun's help to be asked for: root allowed, no binding, oversubscription when the
// ranks outnumber the CPUs), and returns mpirun's exit status; 2 after one line on stderr when
// it cannot (no mpirun, no MPI in this build).
int run_under_mpirun(unsigned ranks, const std::vector<std::string>& arguments);
// The mpirun command line that runs `command` (program and arguments) as `ranks` ranks here.
std::vector<std::string> mpirun_arguments(unsigned ranks, const std::vector<std::string>& command);

// The launcher hooks and flags of the registry entry: --ranks, --threads-per-rank (OpenMP
// threads each rank runs its share of a sum on), and the run's watchdog (--job-timeout),
// which rank 0's waits on the other ranks stay under. The flags are the same in a build
// without MPI, where they say how to get it.
Launcher mpi_launcher();

// OpenMP threads each rank runs its share of a sum on, and the run's watchdog.
void configure_mpi(unsigned threads_per_rank, double job_watchdog_seconds);

// The ranks mpirun started (1 outside mpirun).
unsigned mpi_world_size();

// None when this build has the MPI backend; else one line that says how to get it.
std::optional<std::string> mpi_missing_help();

}  // namespace parbench
