#pragma once
// What watches a run from the side, on a thread of its own: SIGINT, SIGTERM and SIGHUP end the
// run with what finished saved, and a job that stops answering (a stopped child, a task that
// never ends) is ended by a watchdog instead of hanging the run forever.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

namespace parbench {

// Call first in main, before any thread exists: blocks the ending signals in every thread but
// the supervisor's, and ignores SIGPIPE (stdout closed by `| head`) and SIGXFSZ (a file size
// limit), so that those become failed writes instead of a lost run.
void take_over_signals();

// "SIGINT", "SIGTERM", ...
std::string signal_name(int sig);

class Supervisor {
 public:
  // Ends the run early: saves what finished and says so; the process then exits with 128 +
  // the signal, or 1 after a timeout. Called on the supervisor's thread, at most once. `why` is
  // a signal's name or "timeout".
  using EndRun = std::function<void(const std::string& why)>;

  // `job_timeout`: seconds a job may run before it counts as hung; a benchmark whose jobs are
  // long gets ten of its own mean job time if that is more.
  Supervisor(double job_timeout, EndRun end_run);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;
};

// Told by the harness, for the watchdog. Without a supervisor they do nothing but count.
void benchmark_begins(const std::string& name);
void benchmark_ends();

// Jobs started in the current benchmark. Only the benchmark thread writes it, so a job adds a
// plain increment to what is timed (no locked instruction), inlined into the benchmark's loop.
alignas(64) inline std::atomic<std::uint64_t> jobs_started{0};
inline void job_done() {
  jobs_started.store(jobs_started.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

// Why the watchdog ended the current benchmark's workers, if it did; cleared on read.
std::optional<std::string> take_watchdog_verdict();

}  // namespace parbench
