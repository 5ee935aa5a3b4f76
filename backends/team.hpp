#pragma once
// What the backends share: the pieces one worker takes under a block, cyclic or queue split,
// the per-worker slots of partial results, and the job board through which a kept pool's
// workers (threads or forked processes) are given jobs and report them done. The board works
// the same in one process and across fork() (placed in MAP_SHARED memory, with process-shared
// futexes).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "kernels/work.hpp"

namespace parbench {

struct PolicyName;

// The splits a worker can take its share of by itself, with at most one shared counter.
enum class Share { block, cyclic, queue };

// The policies of the backends whose workers take their own share (thread, fork): block,
// cyclic and dynamic for the sum; block, cyclic, queue (a FIFO over the list) and lpt (the same
// queue, longest first) for tasks.
std::vector<PolicyName> counter_sum_policies();
std::vector<PolicyName> counter_task_policies();

// One job as a pool's workers see it.
struct Job {
  Pass pass = Pass::compute;
  Share share = Share::block;
  std::size_t grain = 1;  // items per piece taken from the queue
};

// Runs the pieces `worker` of `workers` takes in `job` and returns its partial result. `next`
// is the queue's shared counter, zero at job start.
std::uint64_t run_share(Work& work, const Job& job, unsigned worker, unsigned workers,
                        std::atomic<std::size_t>& next);

// Throws WorkerFailure unless `threads` more threads can be created now (each is created, then
// all are joined). Runtimes that end the process when they cannot create a thread (libgomp
// exits, oneTBB throws in a thread of its own) are asked for their team only after this.
void check_threads_can_be_created(unsigned threads);

// One cache line per worker so that partial results do not share lines while being written.
struct alignas(64) WorkerSlot {
  std::uint64_t partial = 0;
};

// The job's result: the workers' partial results added up.
template <typename Slots>
std::uint64_t sum_of_partials(const Slots& slots) {
  std::uint64_t total = 0;
  for (const auto& s : slots) total += s.partial;
  return total;
}

// How the threads or processes of a pool (its workers and the caller that waits for them) wait
// for the next change on its board before they sleep on the futex. Spinning makes dispatch fast
// (as OpenMP runtimes do) but steals the CPU from a busy worker when they do not fit on the CPUs.
// With one more than CPUs, two of them share a CPU whatever they do, and a job needs both: the
// one that waits yields it to the other at once, instead of holding it through a spin or making
// a round trip through the futex.
enum class Waiting {
  spin,   // a few microseconds of pause, then some yields, then sleep: each has a CPU of its own
  yield,  // some yields, then sleep: one more than CPUs
  sleep,  // at once: more than that
};
Waiting waiting_for(unsigned threads);

// Blocks while *word == expected, at most timeout_ns (< 0: no limit). process_shared selects a
// futex that works across fork() on MAP_SHARED memory.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, bool process_shared,
                long timeout_ns = -1);

// The job board of a kept pool. The caller posts a job; each worker runs its share, adds its
// partial result and finishes; the last to finish wakes the caller. A worker or caller waits for
// the next change as told (Waiting), then sleeps on a futex, counted so that the other side
// makes the wake-up system call only when someone sleeps.
//
// What a job costs is mostly cache lines moving between CPUs, so the board keeps what each side
// writes on a line of its own and touches as few lines as it can: a worker's first read of the
// job brings the job with it, and its partial result travels back on the line it must write to
// finish anyway, which is the line the caller reads the end of the job from.
class alignas(64) JobBoard {
 public:
  // Call once, before any worker is forked, for a board in MAP_SHARED memory.
  void share_between_processes() { process_shared_ = true; }

  // Caller: hands `job` to the pool for `workers` workers to finish. Returns the ticket that
  // wait() waits on.
  std::uint32_t post(const Job& job, unsigned workers);
  // Caller: waits until the job of `ticket` is finished. While asleep it wakes every 10 ms to
  // call `check`, if given, which may throw (a fork pool looks for a dead worker).
  void wait(std::uint32_t ticket, Waiting waiting, const std::function<void()>& check = nullptr);
  // Caller, after wait(): the sum of the partial results the workers finished with.
  std::uint64_t result() const { return result_.load(std::memory_order_relaxed); }

  // Worker: waits for the job after `seen` and updates it; false when the pool is to stop.
  bool next(std::uint32_t& seen, Waiting waiting);
  const Job& job() const { return job_; }
  std::atomic<std::size_t>& queue() { return next_item_; }
  // Worker: its share of the job is done, with this partial result.
  void finish(std::uint64_t partial);

  // Caller: every worker leaves its loop.
  void stop();

 private:
  // Written by the caller, read by every worker.
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<std::uint32_t> stop_{0};
  std::atomic<std::uint32_t> workers_asleep_{0};  // written only by a worker that goes to sleep
  bool process_shared_ = false;
  Job job_;
  // Written by the workers, read by the caller.
  alignas(64) std::atomic<std::uint64_t> result_{0};
  std::atomic<std::uint32_t> remaining_{0};
  std::atomic<std::uint32_t> done_{0};
  std::atomic<std::uint32_t> caller_asleep_{0};
  // Taken from by the workers of a queue share only.
  alignas(64) std::atomic<std::size_t> next_item_{0};
};

// Caller of a kept pool (threads or forked processes): runs `job` as worker 0 of `workers`
// while the board's workers 1 to workers - 1 run theirs, and returns every partial result added
// up. `check` is as for JobBoard::wait.
std::uint64_t run_as_worker_zero(JobBoard& board, Work& work, const Job& job, unsigned workers,
                                 Waiting waiting, const std::function<void()>& check = nullptr);

}  // namespace parbench
