#pragma once
// What the hand-written backends (serial, thread, fork) share: the pieces one worker takes
// under a static or counter-based policy, and the board through which a persistent pool's
// workers are given jobs and report them done. The board works the same in one process and
// across fork() (placed in MAP_SHARED memory, with process-shared futexes).
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "kernels/work.hpp"

namespace parbench {

// Runs the pieces `worker` of `workers` takes under a block, cyclic or dynamic policy and
// returns its partial result. `next` is the dynamic policy's shared counter, zero at job start.
std::uint64_t run_share(const Work& work, const Policy& policy, unsigned worker, unsigned workers,
                        std::atomic<std::size_t>& next);

// Throws WorkerFailure unless `threads` more threads can be created now (each is created, then
// all are joined). Runtimes that end the process when they cannot create a thread (libgomp
// exits, oneTBB throws in a thread of its own) are asked for their team only after this.
void check_threads_can_be_created(unsigned threads);

// True for the splits run_share handles.
bool is_counter_split(Split split);

// One cache line per worker so that partial results do not share lines while being written.
struct alignas(64) WorkerSlot {
  std::uint64_t partial = 0;
  double cpu_seconds = 0;  // the worker's own CPU clock after its last job (fork pool)
};

// Blocks while *word == expected, at most timeout_ns (< 0: no limit). process_shared selects a
// futex that works across fork() on MAP_SHARED memory.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, bool process_shared,
                long timeout_ns = -1);
void futex_wake_all(std::atomic<std::uint32_t>& word, bool process_shared);

// Spinning before sleeping makes dispatch fast (as OpenMP runtimes do) but steals the CPU from
// a busy worker when there are more threads than CPUs, so pools only spin when they fit.
bool should_spin(unsigned threads);

// Waits until `word` differs from `expected`: spins first when allowed, then sleeps, counted in
// `sleepers` so that the other side makes the wake-up system call only when someone sleeps.
void await_change(std::atomic<std::uint32_t>& word, std::uint32_t expected, bool spin,
                  bool process_shared, std::atomic<std::uint32_t>& sleepers);

// Changes `word` and wakes whoever waits on it in await_change.
void bump_and_wake(std::atomic<std::uint32_t>& word, bool process_shared,
                   std::atomic<std::uint32_t>& sleepers);

// The job board of a persistent pool. The caller publishes a job by setting policy and
// remaining, then bumping `generation`; each worker runs its share, and the last one to finish
// wakes the caller through `done`.
struct alignas(64) JobBoard {
  std::atomic<std::uint32_t> generation{0};
  std::atomic<std::uint32_t> stop{0};
  std::atomic<std::uint32_t> workers_asleep{0};
  alignas(64) std::atomic<std::uint32_t> remaining{0};
  std::atomic<std::uint32_t> done{0};
  std::atomic<std::uint32_t> caller_asleep{0};
  alignas(64) std::atomic<std::size_t> next{0};
  Split split = Split::block;
  std::size_t grain = 1;
};

}  // namespace parbench
