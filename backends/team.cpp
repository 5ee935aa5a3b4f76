#include "backends/team.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "backends/backend.hpp"

#include "kernels/partition.hpp"
#include "platform/machine.hpp"

namespace parbench {

bool is_counter_split(Split split) {
  return split == Split::block || split == Split::cyclic || split == Split::dynamic;
}

std::uint64_t run_share(const Work& work, const Policy& policy, unsigned worker, unsigned workers,
                        std::atomic<std::size_t>& next) {
  const std::size_t n = work.items();
  switch (policy.split) {
    case Split::block: {
      const Range r = block_range(n, workers, worker);
      return r.size() == 0 ? 0 : work.run(worker, r.begin, r.end, 1);
    }
    case Split::cyclic:
      return worker < n ? work.run(worker, worker, n, workers) : 0;
    case Split::dynamic: {
      std::uint64_t total = 0;
      for (;;) {
        const std::size_t begin = next.fetch_add(policy.grain, std::memory_order_relaxed);
        if (begin >= n) return total;
        total += work.run(worker, begin, std::min(n, begin + policy.grain), 1);
      }
    }
    default:
      return 0;  // not a counter split: the backends never pass one
  }
}

void check_threads_can_be_created(unsigned threads) {
  std::atomic<bool> release{false};
  std::vector<std::thread> probes;
  std::string why;
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
  if (!why.empty())
    throw WorkerFailure("cannot create " + std::to_string(threads) + " threads (" +
                        std::to_string(probes.size()) + " were created): " + why);
}

static std::uint32_t* futex_word(std::atomic<std::uint32_t>& word) {
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  return reinterpret_cast<std::uint32_t*>(&word);
}

void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, bool process_shared,
                long timeout_ns) {
  timespec ts{timeout_ns / 1'000'000'000, timeout_ns % 1'000'000'000};
  syscall(SYS_futex, futex_word(word), process_shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, expected,
          timeout_ns < 0 ? nullptr : &ts, nullptr, 0);
}

void futex_wake_all(std::atomic<std::uint32_t>& word, bool process_shared) {
  syscall(SYS_futex, futex_word(word), process_shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, INT32_MAX,
          nullptr, nullptr, 0);
}

bool should_spin(unsigned threads) {
  static const unsigned cpus = usable_cpus();
  return threads <= cpus;
}

static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

void await_change(std::atomic<std::uint32_t>& word, std::uint32_t expected, bool spin,
                  bool process_shared, std::atomic<std::uint32_t>& sleepers) {
  // A few microseconds of pause, then yields: long enough to catch the next job of a benchmark
  // loop, while a thread that has real work to do on this CPU still gets it.
  constexpr int kPauses = 1 << 11;
  constexpr int kYields = 1 << 8;
  if (spin) {
    for (int i = 0; i < kPauses; ++i) {
      if (word.load(std::memory_order_acquire) != expected) return;
      cpu_relax();
    }
    for (int i = 0; i < kYields; ++i) {
      if (word.load(std::memory_order_acquire) != expected) return;
      std::this_thread::yield();
    }
  }
  // seq_cst on both sides: either the waker sees us counted, or our futex_wait sees the change.
  sleepers.fetch_add(1);
  while (word.load() == expected) futex_wait(word, expected, process_shared);
  sleepers.fetch_sub(1);
}

void bump_and_wake(std::atomic<std::uint32_t>& word, bool process_shared,
                   std::atomic<std::uint32_t>& sleepers) {
  word.fetch_add(1);
  if (sleepers.load() > 0) futex_wake_all(word, process_shared);
}

}  // namespace parbench
