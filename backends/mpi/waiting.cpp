#include "backends/mpi/waiting.hpp"

#include <sched.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <limits>

#include "backends/mpi/errors.hpp"
#include "backends/mpi/tags.hpp"
#include "kernels/tasks.hpp"

namespace parbench::mpi {
namespace {

double g_watchdog = std::numeric_limits<double>::infinity();

double now() {
  return monotonic_seconds();
}

bool told_to_leave(MPI_Comm comm) {
  if (comm == MPI_COMM_NULL) return false;
  int said = 0;
  MPI_Iprobe(0, leave_tag, comm, &said, MPI_STATUS_IGNORE);
  return said != 0;
}

// Why a watched process is no more to be waited for, none while it is.
std::optional<std::string> why_not_wait(const Watched& watched, const std::string& what) {
  if (process_gone(watched.pid))
    return "process " + std::to_string(watched.pid) + " ended while waiting for " + what;
  if (watched.lifeline != nullptr && watched.lifeline->broken())
    return "the process on another host ended while waiting for " + what;
  if (told_to_leave(watched.leave_comm)) return "told to leave while waiting for " + what;
  return std::nullopt;
}

}  // namespace

void set_watchdog(double job_watchdog_seconds) {
  g_watchdog = job_watchdog_seconds;
}
double control_timeout() {
  return std::min(30.0, 0.8 * g_watchdog);
}
double job_timeout() {
  return std::min(120.0, 0.8 * g_watchdog);
}

Patience::Patience(bool crowded, double spin_seconds, double longest_sleep)
    : crowded_(crowded), spin_(spin_seconds), longest_(longest_sleep), began_(now()) {}

void Patience::pause() {
  const double waited = now() - began_;
  if (waited < spin_) {
    if (crowded_) sched_yield();
    return;
  }
  const double sleep = std::clamp(waited / 50, 10e-6, longest_);
  const timespec ts{0, static_cast<long>(sleep * 1e9)};
  nanosleep(&ts, nullptr);
}

double Patience::waited() const {
  return now() - began_;
}

Patience in_job_patience(bool crowded) {
  return Patience(crowded, crowded ? 50e-6 : 1.0, 500e-6);
}
Patience between_jobs_patience(bool crowded) {
  return Patience(crowded, 200e-6, 2e-3);
}

bool process_gone(int pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0) return errno == ESRCH;
  // A zombie has ended; its parent (mpirun) has not reaped it yet.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const auto paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() &&
         (text[paren + 2] == 'Z' || text[paren + 2] == 'X');
}

std::optional<std::string> wait_within(MPI_Request& request, const std::string& what,
                                       double timeout, bool crowded, const Watched& watched,
                                       bool in_job) {
  Patience patience = in_job ? in_job_patience(crowded) : between_jobs_patience(crowded);
  double next_check = 0.01;
  for (;;) {
    int done = 0;
    if (const int code = MPI_Test(&request, &done, MPI_STATUS_IGNORE); code != MPI_SUCCESS)
      return "MPI error while waiting for " + what + ": " + mpi_error_text(code);
    if (done) return std::nullopt;
    const double waited = patience.waited();
    if (waited > next_check) {
      next_check = waited + 0.01;
      if (auto why = why_not_wait(watched, what)) return why;
      if (waited > timeout)
        return "no answer for " + what + " within " + std::to_string(static_cast<int>(timeout)) +
               " s";
    }
    patience.pause();
  }
}

}  // namespace parbench::mpi
