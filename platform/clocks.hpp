#pragma once
// The clocks parbench reads, in seconds.
#include <poll.h>
#include <time.h>

#include <chrono>

namespace parbench {

// CLOCK_MONOTONIC (one clock for every thread and process), CLOCK_PROCESS_CPUTIME_ID,
// CLOCK_THREAD_CPUTIME_ID, ...
double clock_seconds(clockid_t clock);

// CPU time (user + system) of every child process reaped so far: what fork()ed workers used,
// which the parent's own CPU clock does not count.
double reaped_children_cpu_seconds();

// poll() until `deadline`, going on after a signal with the time left: what poll returns.
int poll_until(pollfd* fds, nfds_t count, std::chrono::steady_clock::time_point deadline);
// The same, `milliseconds` from now.
int poll_for(pollfd* fds, nfds_t count, int milliseconds);

}  // namespace parbench
