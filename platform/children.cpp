#include "platform/children.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstring>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <vector>

namespace parbench {
namespace {

// A child is reaped only under the lock, and forgotten in the same breath, so a killer holding
// the lock never signals a pid that was reaped and given to another process.
std::mutex& children_lock() {
  static std::mutex m;
  return m;
}

std::vector<pid_t>& children() {
  static std::vector<pid_t> pids;
  return pids;
}

}  // namespace

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

void track_child(pid_t pid) {
  std::lock_guard lock(children_lock());
  children().push_back(pid);
}

bool reap_child(pid_t pid, int* status, bool wait) {
  if (wait) {
    // Wait for the end without reaping it, so that the reaping itself happens under the lock.
    siginfo_t info{};
    while (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0)
      if (errno != EINTR) break;
  }
  std::lock_guard lock(children_lock());
  auto& pids = children();
  const pid_t r = waitpid(pid, status, WNOHANG);
  if (r == pid || (r < 0 && errno == ECHILD))
    pids.erase(std::remove(pids.begin(), pids.end(), pid), pids.end());
  if (r < 0 && errno == ECHILD) *status = SIGKILL;  // reaped by kill_tracked_children
  return r == pid || (r < 0 && errno == ECHILD);
}

namespace {

// A child that leads a process group takes the group with it; for one that does not, no group
// has its id (a group's id is its leader's, and the child's id is not reused while it is
// unreaped), so the first kill finds nothing.
void kill_with_group(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
}

}  // namespace

bool kill_child(pid_t pid) {
  std::lock_guard lock(children_lock());
  const auto& pids = children();
  if (std::find(pids.begin(), pids.end(), pid) == pids.end()) return false;
  kill_with_group(pid);
  return true;
}

std::size_t kill_tracked_children() {
  std::lock_guard lock(children_lock());
  auto& pids = children();
  for (pid_t pid : pids) kill_with_group(pid);
  for (pid_t pid : pids) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  const std::size_t n = pids.size();
  pids.clear();
  return n;
}

}  // namespace parbench
