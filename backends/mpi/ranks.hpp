#pragma once
// What a rank says of itself (host, pid, CPUs, its program, its CPU time), and rank 0's
// gathering of it: the report says where each rank ran, and rank 0 learns from it which ranks
// share its host (whose pids it can watch).
#include <mpi.h>

#include <nlohmann/json.hpp>
#include <string>

namespace parbench::mpi {

// This host's name, as every rank describes itself with.
std::string host_name();
// The path of this program (/proc/self/exe), "" when it cannot be read.
std::string own_executable();
// CPU seconds this process has used so far (all its threads).
double process_cpu_seconds();
// This rank's description for the report: host, pid, CPU model, affinity, topology.
nlohmann::json describe_this_rank();

// Collective over `comm` (of `size` ranks; this one is `rank`): rank 0 gets every rank's
// description, its "rank" added, in rank order; the others an empty array.
nlohmann::json gather_rank_descriptions(MPI_Comm comm, int rank, unsigned size);

}  // namespace parbench::mpi
