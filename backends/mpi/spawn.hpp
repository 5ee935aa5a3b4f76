#pragma once
// The mpi backend's per-job spawn (the launch probe comm_spawn): rank 0 alone, over a copy of
// MPI_COMM_SELF (the serving ranks take no part), starts `children` new copies of this program
// with MPI_Comm_spawn; each finds its parent, does one empty job (adds 1 to an MPI_Reduce over
// the intercommunicator), disconnects and exits.
#include <mpi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parbench::mpi {

class World;

class Spawner {
 public:
  // Outside timing: the program's path, the communicator, the spawn's info (oversubscription
  // allowed: the run's ranks may hold every slot; no binding, as parbench's mpirun).
  explicit Spawner(bool crowded);
  ~Spawner();
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;
  // One job on `children` new ranks, waited for at most control_timeout(): none when each took
  // part and all disconnected, else what went wrong.
  std::optional<std::string> job(unsigned children);

 private:
  std::optional<std::string> empty_job(MPI_Comm inter, const std::string& what,
                                       std::uint64_t& took_part);

  bool crowded_;
  std::string program_;
  std::vector<std::string> args_;
  MPI_Comm self_ = MPI_COMM_NULL;
  MPI_Info info_ = MPI_INFO_NULL;
};

// The setting of mpirun's environment without which MPI_Comm_spawn in a job on several hosts
// hangs now and then in Debian 12's Open MPI 4.1 with its PMIx 4.2 (openpmix/openpmix#2735).
inline constexpr const char* kSpawnSafeSetting = "PMIX_MCA_gds=hash";
// Why MPI_Comm_spawn may hang this run (none when it should not): a hang would end the run with
// its watchdog, so the probe is not run then and says why.
std::optional<std::string> spawn_hazard(const World& w);

// The first argument that makes this program a child of Spawner: MPI_Init, one empty job for the
// parent, MPI_Finalize; never a driver or a server of a run (its environment says it is rank 0
// of a world of its own).
inline constexpr const char* kSpawnedChildFlag = "--mpi-spawned-child";
// A child's life, from main: `argv` = {program, kSpawnedChildFlag, parent's pid, parent's host}.
// Returns its exit status.
int serve_as_spawned_child(int argc, char** argv);

}  // namespace parbench::mpi
