#pragma once
// The clocks parbench reads, in seconds.
#include <time.h>

namespace parbench {

// CLOCK_MONOTONIC (one clock for every thread and process), CLOCK_PROCESS_CPUTIME_ID,
// CLOCK_THREAD_CPUTIME_ID, ...
double clock_seconds(clockid_t clock);

// CPU time (user + system) of every child process reaped so far: what fork()ed workers used,
// which the parent's own CPU clock does not count.
double reaped_children_cpu_seconds();

}  // namespace parbench
