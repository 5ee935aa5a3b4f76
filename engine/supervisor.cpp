#include "engine/supervisor.hpp"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <utility>

#include "platform/children.hpp"
#include "platform/files.hpp"

namespace parbench {
namespace {

using Clock = std::chrono::steady_clock;

sigset_t ending_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  return set;
}

// What the watchdog reads while the benchmark thread runs.
struct Watch {
  std::atomic<bool> in_benchmark{false};
  std::atomic<std::int64_t> began_ns{0};
  std::mutex lock;  // guards name and verdict
  std::string name;
  std::optional<std::string> verdict;  // why the watchdog ended the workers, if it did
};

Watch& watch() {
  static Watch w;
  return w;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// A second signal while the first one's report is being written: end now, leaving the journal.
extern "C" void end_at_once(int sig) {
  if (const char* temp = temporary_file_being_written(); temp[0] != '\0') unlink(temp);
  const char text[] = "parbench: ended at once; the journal keeps what finished\n";
  [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, text, sizeof text - 1);
  _exit(128 + sig);
}

}  // namespace

void take_over_signals() {
  const sigset_t set = ending_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGXFSZ, SIG_IGN);
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

void benchmark_begins(const std::string& name) {
  Watch& w = watch();
  {
    std::lock_guard lock(w.lock);
    w.name = name;
    w.verdict.reset();
  }
  w.began_ns.store(now_ns());
  jobs_started.store(0);
  w.in_benchmark.store(true);
}

void benchmark_ends() {
  watch().in_benchmark.store(false);
}

std::optional<std::string> take_watchdog_verdict() {
  Watch& w = watch();
  std::lock_guard lock(w.lock);
  return std::exchange(w.verdict, std::nullopt);
}

namespace {

struct SupervisorState {
  double job_timeout = 600;
  Supervisor::EndRun end_run;
  std::atomic<bool> stop{false};
  std::thread thread;
};

[[noreturn]] void end_run_and_exit(SupervisorState& s, const std::string& why, int sig) {
  // From here a second ending signal ends the process at once.
  struct sigaction at_once {};
  at_once.sa_handler = end_at_once;
  for (int other : {SIGINT, SIGTERM, SIGHUP}) sigaction(other, &at_once, nullptr);
  const sigset_t set = ending_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  s.end_run(why);
  std::fflush(nullptr);
  _exit(sig > 0 ? 128 + sig : 1);
}

// The current benchmark's jobs have not advanced for longer than its timeout.
void check_watchdog(SupervisorState& s, std::uint64_t& jobs_seen, std::int64_t& progress_ns) {
  Watch& w = watch();
  if (!w.in_benchmark.load()) {
    jobs_seen = 0;
    progress_ns = 0;
    return;
  }
  const std::uint64_t jobs = jobs_started.load(std::memory_order_relaxed);
  const std::int64_t began = w.began_ns.load();
  const std::int64_t now = now_ns();
  if (progress_ns < began || jobs != jobs_seen) {
    jobs_seen = jobs;
    progress_ns = jobs == 0 ? began : now;
    return;
  }
  const double mean_job = jobs > 0 ? (progress_ns - began) * 1e-9 / static_cast<double>(jobs) : 0;
  const double timeout = std::max(s.job_timeout, 10 * mean_job);
  if ((now - progress_ns) * 1e-9 <= timeout) return;

  std::string name;
  {
    std::lock_guard lock(w.lock);
    name = w.name;
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.0f s", timeout);
  // The verdict is in place before the workers die: the benchmark thread reads it as soon as
  // it sees them dead.
  const std::string verdict = std::string("a job ran past its timeout of ") + seconds +
                              ": its worker processes were killed";
  {
    std::lock_guard lock(w.lock);
    w.verdict = verdict;
  }
  if (const std::size_t killed = kill_tracked_children(); killed > 0) {
    std::fprintf(stderr, "parbench: %s: %s (%zu)\n", name.c_str(), verdict.c_str(), killed);
    progress_ns = now;  // one verdict per hang
    return;
  }
  {
    std::lock_guard lock(w.lock);
    w.verdict.reset();
  }
  std::fprintf(stderr,
               "parbench: %s: a job ran past its timeout of %s and its threads cannot be "
               "stopped: ending the run\n",
               name.c_str(), seconds);
  end_run_and_exit(s, "timeout", 0);
}

void supervise(SupervisorState& s) {
  const sigset_t set = ending_signals();
  std::uint64_t jobs_seen = 0;
  std::int64_t progress_ns = 0;
  while (!s.stop.load()) {
    const timespec slice{0, 200'000'000};
    const int sig = sigtimedwait(&set, nullptr, &slice);
    if (sig > 0) {
      std::fprintf(stderr, "\nparbench: %s: ending the run (again to end at once)\n",
                   signal_name(sig).c_str());
      end_run_and_exit(s, signal_name(sig), sig);
    }
    check_watchdog(s, jobs_seen, progress_ns);
  }
}

SupervisorState* g_state = nullptr;

}  // namespace

Supervisor::Supervisor(double job_timeout, EndRun end_run) {
  g_state = new SupervisorState;
  g_state->job_timeout = job_timeout;
  g_state->end_run = std::move(end_run);
  g_state->thread = std::thread(supervise, std::ref(*g_state));
}

Supervisor::~Supervisor() {
  g_state->stop.store(true);
  g_state->thread.join();
  delete g_state;
  g_state = nullptr;
}

}  // namespace parbench
