// The mpi backend's per-job spawn: rank 0 alone starts new ranks with MPI_Comm_spawn for one
// empty job, as fork's spawn launch starts a process per job, and each new rank (a copy of
// parbench started with kSpawnedChildFlag) takes part, disconnects and exits. Nothing here may
// hang: every wait after the spawn has a timeout, on both sides, and a child whose parent
// ended leaves at once. MPI_Comm_spawn itself cannot be waited for with a timeout (MPI has no
// nonblocking spawn): a child that ends before MPI_Init would make it wait until the run's
// watchdog (--job-timeout) ends the run.
#include "backends/mpi/spawn.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "backends/mpi/errors.hpp"
#include "backends/mpi/mpirun_guard.hpp"
#include "backends/mpi/ranks.hpp"
#include "backends/mpi/waiting.hpp"
#include "backends/mpi/world.hpp"

namespace parbench::mpi {

Spawner::Spawner(bool crowded)
    : crowded_(crowded),
      program_(own_executable()),
      args_{kSpawnedChildFlag, std::to_string(getpid()), host_name()} {
  // A communicator of rank 0 alone whose errors come back as codes: a spawn that fails is the
  // probe's error, not the end of the run.
  MPI_Comm_dup(MPI_COMM_SELF, &self_);
  MPI_Comm_set_errhandler(self_, MPI_ERRORS_RETURN);
  MPI_Info_create(&info_);
  // The run's ranks may hold every slot mpirun knows of (-np = the CPUs): the children may
  // oversubscribe them, whatever mpirun was told. They wait, they do not compete for a CPU.
  MPI_Info_set(info_, "map_by", "slot:oversubscribe");
  MPI_Info_set(info_, "bind_to", "none");
  // On rank 0's host: the children talk only to it, as a fork's children do.
  MPI_Info_set(info_, "host", host_name().c_str());
}

namespace {

// Whether `setting` ("NAME=value") is in the environment of mpirun, whose PMIx server must have
// it (mpirun -x gives it to the ranks only); in this process's where mpirun is not its parent.
bool in_mpirun_environment(const std::string& setting) {
  const pid_t launcher = open_mpi_launcher().first;
  const pid_t whose = launcher != 0 ? launcher : getpid();
  std::ifstream environ_of("/proc/" + std::to_string(whose) + "/environ");
  for (std::string var; std::getline(environ_of, var, '\0');)
    if (var == setting) return true;
  return false;
}

}  // namespace

std::optional<std::string> spawn_hazard(const World& w) {
  const std::string setting = kSpawnSafeSetting;
  if (!w.spans_hosts() || in_mpirun_environment(setting)) return std::nullopt;
  return "not run: MPI_Comm_spawn in a job on several hosts hangs now and then with Open MPI "
         "4.1 and PMIx 4 (openpmix issue 2735), and a hang would end the run; start mpirun "
         "with " +
         setting + " in its environment";
}

Spawner::~Spawner() {
  if (info_ != MPI_INFO_NULL) MPI_Info_free(&info_);
  if (self_ != MPI_COMM_NULL) MPI_Comm_free(&self_);
}

namespace {

// Why not every child started as asked, none when each did.
std::optional<std::string> why_not_started(const std::vector<int>& codes, MPI_Comm inter,
                                           unsigned children) {
  int remote = 0;
  MPI_Comm_remote_size(inter, &remote);
  for (unsigned c = 0; c < children; ++c)
    if (codes[c] != MPI_SUCCESS)
      return "MPI_Comm_spawn: spawned rank " + std::to_string(c) +
             " did not start: " + mpi_error_text(codes[c]);
  if (remote != static_cast<int>(children))
    return "MPI_Comm_spawn started " + std::to_string(remote) + " rank(s), not " +
           std::to_string(children);
  return std::nullopt;
}

}  // namespace

// The empty job: each child adds 1. Then a barrier, so that the disconnect (which waits for
// every side) finds each child there.
std::optional<std::string> Spawner::empty_job(MPI_Comm inter, const std::string& what,
                                              std::uint64_t& took_part) {
  MPI_Request request;
  if (MPI_Ireduce(nullptr, &took_part, 1, MPI_UINT64_T, MPI_SUM, MPI_ROOT, inter, &request) !=
      MPI_SUCCESS)
    return "MPI_Ireduce over the spawned ranks failed";
  if (auto why = wait_within(request, "the empty job of " + what, control_timeout(), crowded_))
    return why;
  if (MPI_Ibarrier(inter, &request) != MPI_SUCCESS)
    return "MPI_Ibarrier with the spawned ranks failed";
  return wait_within(request, what + " to be done", control_timeout(), crowded_);
}

std::optional<std::string> Spawner::job(unsigned children) {
  if (program_.empty()) return "cannot read /proc/self/exe: no program to spawn";
  // A child that cannot start (or ends before MPI_Init) makes MPI_Comm_spawn wait forever under
  // --enable-recovery (only the run's watchdog ends it): a program gone or replaced is said here.
  if (access(program_.c_str(), X_OK) != 0)
    return "cannot spawn " + program_ + ": not an executable file (any more)";
  const std::string what = std::to_string(children) + " spawned rank" + (children == 1 ? "" : "s");
  std::vector<char*> argv;
  for (auto& a : args_) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<int> codes(children, MPI_SUCCESS);
  MPI_Comm inter = MPI_COMM_NULL;
  if (const int code = MPI_Comm_spawn(program_.c_str(), argv.data(), static_cast<int>(children),
                                      info_, 0, self_, &inter, codes.data());
      code != MPI_SUCCESS)
    return "MPI_Comm_spawn of " + what + " failed (" + mpi_error_text(code) +
           "; Open MPI says why on stderr): not enough slots? parbench asks for oversubscription "
           "(map_by slot:oversubscribe); run mpirun with --oversubscribe or a hostfile with free "
           "slots";
  MPI_Comm_set_errhandler(inter, MPI_ERRORS_RETURN);
  std::uint64_t took_part = 0;
  std::optional<std::string> why = why_not_started(codes, inter, children);
  if (!why) why = empty_job(inter, what, took_part);
  if (why) {
    // No disconnect: it would wait for the children, who leave on their own (their waits time
    // out too, or see this process end).
    MPI_Comm_free(&inter);
    return why;
  }
  MPI_Comm_disconnect(&inter);
  if (took_part != children)
    return std::to_string(took_part) + " of " + what + " took part in the empty job";
  return std::nullopt;
}

int serve_as_spawned_child(int argc, char** argv) {
  // The parent is watched where it can be seen: on this host.
  const int parent_pid = argc > 3 && host_name() == argv[3] ? std::atoi(argv[2]) : 0;
  if (MPI_Init(nullptr, nullptr) != MPI_SUCCESS) return 1;
  MPI_Comm parent = MPI_COMM_NULL;
  MPI_Comm_get_parent(&parent);
  if (parent == MPI_COMM_NULL) {
    std::fprintf(stderr, "parbench: %s is for the ranks MPI_Comm_spawn starts, not a command\n",
                 kSpawnedChildFlag);
    MPI_Finalize();
    return 2;
  }
  MPI_Comm_set_errhandler(parent, MPI_ERRORS_RETURN);
  const std::uint64_t one = 1;
  MPI_Request request;
  std::optional<std::string> why;
  if (MPI_Ireduce(&one, nullptr, 1, MPI_UINT64_T, MPI_SUM, 0, parent, &request) != MPI_SUCCESS)
    why = "MPI_Ireduce to the parent failed";
  else
    why = wait_within(request, "the parent to take the empty job's result", control_timeout(), true,
                      Watched{.pid = parent_pid});
  if (!why) {
    if (MPI_Ibarrier(parent, &request) != MPI_SUCCESS)
      why = "MPI_Ibarrier with the parent failed";
    else
      why = wait_within(request, "the parent to end the job", control_timeout(), true,
                        Watched{.pid = parent_pid});
  }
  if (why) {
    // Without MPI_Finalize, which would wait for the parent.
    std::fprintf(stderr, "parbench: spawned mpi rank: %s\n", why->c_str());
    std::fflush(nullptr);
    _exit(1);
  }
  MPI_Comm_disconnect(&parent);
  MPI_Finalize();
  return 0;
}

}  // namespace parbench::mpi
