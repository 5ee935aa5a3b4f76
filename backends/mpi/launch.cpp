// Running parbench under mpirun on this host, for `--ranks=N`: the user asks for ranks, not for
// Open MPI's command line.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "backends/mpi/mpi.hpp"
#include "platform/machine.hpp"

namespace parbench {

std::vector<std::string> mpirun_arguments(unsigned ranks, const std::vector<std::string>& command) {
  std::vector<std::string> args = {"mpirun", "-np", std::to_string(ranks),
                                   // Open MPI binds each rank to a core by default: rank 0's
                                   // thread, fork, OpenMP and TBB workers would share one CPU.
                                   "--bind-to", "none",
                                   // A rank that dies becomes the error of the benchmark that
                                   // ran, instead of the end of every rank (rank 0 sees it die).
                                   "--enable-recovery"};
  if (ranks > usable_cpus()) args.push_back("--oversubscribe");
  args.insert(args.end(), command.begin(), command.end());
  return args;
}

int run_under_mpirun(unsigned ranks, const std::vector<std::string>& arguments) {
  char self[4096] = {};
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  std::vector<std::string> command = {n > 0 ? std::string(self, static_cast<std::size_t>(n))
                                            : std::string("parbench")};
  command.insert(command.end(), arguments.begin(), arguments.end());
  std::vector<std::string> args = mpirun_arguments(ranks, command);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Open MPI refuses root unless told twice; CI runs as root, and the user asked for ranks.
  if (geteuid() == 0) {
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  }
  std::fflush(nullptr);
  execvp(argv[0], argv.data());
  std::fprintf(stderr,
               "parbench: cannot run mpirun (%s): apt-get install openmpi-bin (scripts/setup "
               "installs it)\n",
               std::strerror(errno));
  return 2;
}

}  // namespace parbench
namespace parbench {

std::optional<std::string> mpi_missing_help() {
  return std::nullopt;
}

}  // namespace parbench
