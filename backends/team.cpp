#include "backends/team.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "backends/backend.hpp"
#include "kernels/partition.hpp"
#include "platform/machine.hpp"

namespace parbench {

std::uint64_t run_share(Work& work, const Job& job, unsigned worker, unsigned workers,
                        std::atomic<std::size_t>& next) {
  const std::size_t n = work.items();
  switch (job.share) {
    case Share::block: {
      const Range r = block_range(n, workers, worker);
      return r.size() == 0 ? 0 : work.apply(job.pass, worker, r.begin, r.end, 1);
    }
    case Share::cyclic:
      return worker < n ? work.apply(job.pass, worker, worker, n, workers) : 0;
    case Share::queue: {
      std::uint64_t total = 0;
      for (;;) {
        const std::size_t begin = next.fetch_add(job.grain, std::memory_order_relaxed);
        if (begin >= n) return total;
        total += work.apply(job.pass, worker, begin, std::min(n, begin + job.grain), 1);
      }
    }
  }
  return 0;
}

std::vector<PolicyName> counter_sum_policies() {
  return {{"block", Split::block, false, false, Share::block},
          {"cyclic", Split::cyclic, false, false, Share::cyclic},
          {"dynamic", Split::dynamic, true, false, Share::queue}};
}

std::vector<PolicyName> counter_task_policies() {
  return {{"block", Split::block, false, false, Share::block},
          {"cyclic", Split::cyclic, false, false, Share::cyclic},
          {"queue", Split::dynamic, false, false, Share::queue},
          {"lpt", Split::dynamic, false, true, Share::queue}};
}

void check_threads_can_be_created(unsigned threads) {
  std::atomic<bool> release{false};
  std::vector<std::thread> probes;
  std::optional<std::string> why;
  try {
    for (unsigned i = 0; i < threads; ++i)
      probes.emplace_back([&release] {
        while (!release.load()) std::this_thread::yield();
      });
  } catch (const std::system_error& e) {
    why = e.what();
  }
  release.store(true);
  for (auto& t : probes) t.join();
  if (why)
    throw WorkerFailure("cannot create " + std::to_string(threads) + " threads (" +
                        std::to_string(probes.size()) + " were created): " + *why);
}

Waiting waiting_for(unsigned threads) {
  static const unsigned cpus = usable_cpus();
  if (threads <= cpus) return Waiting::spin;
  return threads == cpus + 1 ? Waiting::yield : Waiting::sleep;
}

namespace {

std::uint32_t* futex_word(std::atomic<std::uint32_t>& word) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return reinterpret_cast<std::uint32_t*>(&word);
}

void futex_wake_all(std::atomic<std::uint32_t>& word, bool process_shared) {
  syscall(SYS_futex, futex_word(word), process_shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, INT32_MAX,
          nullptr, nullptr, 0);
}

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until `word` differs from `expected`, at most a few microseconds of pause (when asked)
// and then some yields: long enough to catch the next job of a benchmark loop, while a thread
// that has real work to do on this CPU still gets it. True if the word changed.
bool spin_for_change(const std::atomic<std::uint32_t>& word, std::uint32_t expected, bool pause) {
  constexpr int kPauses = 1 << 11;
  constexpr int kYields = 1 << 8;
  for (int i = 0; pause && i < kPauses; ++i) {
    if (word.load(std::memory_order_acquire) != expected) return true;
    cpu_relax();
  }
  for (int i = 0; i < kYields; ++i) {
    if (word.load(std::memory_order_acquire) != expected) return true;
    std::this_thread::yield();
  }
  return false;
}

// Waits until `word` differs from `expected`: spins or yields first when told, then sleeps,
// counted in `sleepers`. With `check`, sleeps in slices of 10 ms and calls it after each.
void await_change(std::atomic<std::uint32_t>& word, std::uint32_t expected, Waiting waiting,
                  bool process_shared, std::atomic<std::uint32_t>& sleepers,
                  const std::function<void()>& check = nullptr) {
  constexpr long kSliceNs = 10'000'000;
  if (waiting != Waiting::sleep && spin_for_change(word, expected, waiting == Waiting::spin))
    return;
  // seq_cst on both sides: either the waker sees us counted, or our futex_wait sees the change.
  sleepers.fetch_add(1);
  struct Uncount {
    std::atomic<std::uint32_t>& sleepers;
    ~Uncount() { sleepers.fetch_sub(1); }
  } uncount{sleepers};
  while (word.load() == expected) {
    futex_wait(word, expected, process_shared, check ? kSliceNs : -1);
    if (check && word.load() == expected) check();
  }
}

void bump_and_wake(std::atomic<std::uint32_t>& word, bool process_shared,
                   std::atomic<std::uint32_t>& sleepers) {
  word.fetch_add(1);
  if (sleepers.load() > 0) futex_wake_all(word, process_shared);
}

}  // namespace

void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, bool process_shared,
                long timeout_ns) {
  timespec ts{timeout_ns / 1'000'000'000, timeout_ns % 1'000'000'000};
  syscall(SYS_futex, futex_word(word), process_shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, expected,
          timeout_ns < 0 ? nullptr : &ts, nullptr, 0);
}

std::uint32_t JobBoard::post(const Job& job, unsigned workers) {
  job_ = job;
  if (job.share == Share::queue) next_item_.store(0, std::memory_order_relaxed);
  const std::uint32_t ticket = done_.load(std::memory_order_relaxed);
  result_.store(0, std::memory_order_relaxed);
  remaining_.store(workers, std::memory_order_relaxed);
  bump_and_wake(generation_, process_shared_, workers_asleep_);
  return ticket;
}

void JobBoard::wait(std::uint32_t ticket, Waiting waiting, const std::function<void()>& check) {
  await_change(done_, ticket, waiting, process_shared_, caller_asleep_, check);
}

bool JobBoard::next(std::uint32_t& seen, Waiting waiting) {
  await_change(generation_, seen, waiting, process_shared_, workers_asleep_);
  seen = generation_.load(std::memory_order_acquire);
  return stop_.load(std::memory_order_acquire) == 0;
}

void JobBoard::finish(std::uint64_t partial) {
  result_.fetch_add(partial, std::memory_order_relaxed);
  // acq_rel: the last worker's fetch_sub sees every other worker's addition, and its bump of
  // done_ hands them all to the caller.
  if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1)
    bump_and_wake(done_, process_shared_, caller_asleep_);
}

void JobBoard::stop() {
  stop_.store(1);
  bump_and_wake(generation_, process_shared_, workers_asleep_);
}

std::uint64_t run_as_worker_zero(JobBoard& board, Work& work, const Job& job, unsigned workers,
                                 Waiting waiting, const std::function<void()>& check) {
  if (workers == 1) {
    std::atomic<std::size_t> next{0};
    return run_share(work, job, 0, 1, next);
  }
  const std::uint32_t ticket = board.post(job, workers - 1);
  const std::uint64_t own = run_share(work, job, 0, workers, board.queue());
  board.wait(ticket, waiting, check);
  return own + board.result();
}

}  // namespace parbench
