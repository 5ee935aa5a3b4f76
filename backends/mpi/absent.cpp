// The MPI backend's hooks in a build without Open MPI: nothing to serve or start, and one line
// that says how to get it.
#include <cstdio>
#include <cstdlib>

#include "backends/mpi/mpi.hpp"

namespace parbench {

bool started_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr;
}

std::optional<int> serve_if_mpi_rank(int, char**) {
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  if (rank == nullptr || std::string(rank) == "0") return std::nullopt;
  // Every rank would run the whole benchmark on its own: only rank 0 goes on, and says so.
  return 0;
}

MpiRun::MpiRun() {
  if (started_by_mpirun())
    std::fprintf(stderr, "parbench: warning: %s; running as one process\n",
                 mpi_missing_help()->c_str());
}

MpiRun::~MpiRun() = default;

int run_under_mpirun(unsigned, const std::vector<std::string>&) {
  std::fprintf(stderr, "parbench: %s\n", mpi_missing_help()->c_str());
  return 2;
}

void configure_mpi(unsigned, double) {}

unsigned mpi_world_size() {
  return 1;
}

AbsentBackend absent_mpi_backend() {
  return {"mpi", *mpi_missing_help(), mpi_launcher()};
}

std::optional<std::string> mpi_missing_help() {
  return "this parbench was built without MPI: install Open MPI (apt-get install libopenmpi-dev "
         "openmpi-bin, or scripts/setup) and build again";
}

}  // namespace parbench
