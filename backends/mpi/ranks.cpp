#include "backends/mpi/ranks.hpp"

#include <time.h>
#include <unistd.h>

#include "backends/mpi/tags.hpp"
#include "platform/machine.hpp"
#include "platform/topology.hpp"

namespace parbench::mpi {
namespace {

nlohmann::json receive_description(MPI_Comm comm, unsigned from) {
  MPI_Status status;
  MPI_Probe(static_cast<int>(from), info_tag, comm, &status);
  int bytes = 0;
  MPI_Get_count(&status, MPI_CHAR, &bytes);
  std::string text(static_cast<std::size_t>(bytes), '\0');
  MPI_Recv(text.data(), bytes, MPI_CHAR, static_cast<int>(from), info_tag, comm, MPI_STATUS_IGNORE);
  return nlohmann::json::parse(text);
}

}  // namespace

std::string host_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

std::string own_executable() {
  std::string path(4096, '\0');
  const ssize_t n = readlink("/proc/self/exe", path.data(), path.size() - 1);
  return n > 0 ? path.substr(0, static_cast<std::size_t>(n)) : "";
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

nlohmann::json describe_this_rank() {
  return {{"host", host_name()},
          {"pid", getpid()},
          {"cpu_model", cpu_identity().model_name},
          {"affinity", cpu_list_string(affinity_cpus())},
          {"usable_cpus", usable_cpus()},
          {"topology", topology_summary(topology())}};
}

nlohmann::json gather_rank_descriptions(MPI_Comm comm, int rank, unsigned size) {
  const std::string mine = describe_this_rank().dump();
  nlohmann::json ranks = nlohmann::json::array();
  if (rank != 0) {
    MPI_Send(mine.data(), static_cast<int>(mine.size()), MPI_CHAR, 0, info_tag, comm);
    return ranks;
  }
  ranks.push_back(nlohmann::json::parse(mine));
  ranks.back()["rank"] = 0;
  for (unsigned r = 1; r < size; ++r) {
    nlohmann::json other = receive_description(comm, r);
    other["rank"] = r;
    ranks.push_back(std::move(other));
  }
  return ranks;
}

}  // namespace parbench::mpi
