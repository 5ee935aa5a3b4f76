#include "backends/mpi/mpirun_guard.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace parbench::mpi {
namespace {

// The guard's life: it holds nothing of rank 0's but the pipe's read end, so that rank 0's
// sockets (the lifeline's anchor above all) close when rank 0 ends; a byte from rank 0 means it
// finished, the pipe's end without one that it died. Async-signal-safe calls only: the process
// it was forked from has threads.
[[noreturn]] void guard_mpirun_until_rank_zero_ends(const int ends[2], pid_t launcher,
                                                    const std::string& why, int open_files) {
  constexpr int kPipe = 3;
  close(ends[1]);
  if (ends[0] != kPipe) dup2(ends[0], kPipe);
  if (close_range(kPipe + 1, ~0U, 0) != 0)
    for (int fd = kPipe + 1; fd < open_files; ++fd) close(fd);
  char finished = 0;
  ssize_t n = 0;
  while ((n = read(kPipe, &finished, 1)) < 0 && errno == EINTR) {
  }
  if (n == 1) _exit(0);
  // The other ranks leave within moments (their watch of rank 0); mpirun may then end by itself.
  constexpr int kGraceInTenths = 30;
  for (int i = 0; i < kGraceInTenths && kill(launcher, 0) == 0; ++i) {
    const timespec tenth{0, 100'000'000};
    nanosleep(&tenth, nullptr);
  }
  if (kill(launcher, 0) == 0) {
    (void)!write(STDERR_FILENO, why.data(), why.size());
    kill(launcher, SIGTERM);
  }
  _exit(0);
}

// How far the guard closes file descriptors one by one where close_range fails: read before the
// fork, as the guard makes async-signal-safe calls only.
int open_files_limit() {
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  return files.rlim_cur == RLIM_INFINITY
             ? 1 << 16
             : static_cast<int>(std::min<rlim_t>(files.rlim_cur, 1 << 20));
}

}  // namespace

// Ending Open MPI's daemon on another host does not end mpirun: only mpirun counts.
std::pair<pid_t, std::string> open_mpi_launcher() {
  const pid_t parent = getppid();
  std::ifstream comm("/proc/" + std::to_string(parent) + "/comm");
  std::string name;
  std::getline(comm, name);
  for (const char* launcher : {"mpirun", "mpiexec", "orterun"})
    if (name == launcher) return {parent, name};
  return {0, ""};
}

void end_mpirun(int rank) {
  const auto [launcher, name] = open_mpi_launcher();
  if (launcher == 0) return;
  std::fprintf(stderr,
               "parbench: mpi rank %d: ending %s (pid %d): Open MPI 4.1 may not end a job on "
               "several hosts that lost a rank (under --enable-recovery)\n",
               rank, name.c_str(), launcher);
  std::fflush(nullptr);
  kill(launcher, SIGTERM);
}

void MpirunGuard::start() {
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  if (rank == nullptr || std::string(rank) != "0") return;
  const auto [launcher, name] = open_mpi_launcher();
  if (launcher == 0) return;
  const std::string why =
      "parbench: mpi rank 0 ended without finishing (killed, or its run "
      "ended early): ending " +
      name + " (pid " + std::to_string(launcher) +
      "), which Open MPI 4.1 may not end in a job on several hosts\n";
  const int open_files = open_files_limit();
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return;
  std::fflush(nullptr);
  const pid_t guard = fork();
  if (guard == 0) guard_mpirun_until_rank_zero_ends(ends, launcher, why, open_files);
  close(ends[0]);
  if (guard < 0) {
    close(ends[1]);
    return;
  }
  pipe_ = ends[1];
  pid_ = guard;
}

void MpirunGuard::release() {
  if (pipe_ < 0) return;
  const char finished = 1;
  (void)!write(pipe_, &finished, 1);
  close(pipe_);
  pipe_ = -1;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace parbench::mpi
