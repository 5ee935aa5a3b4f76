// thread: raw std::thread. `spawn` creates and joins one thread per worker for every job (what
// a naive program does); `pool` keeps workers - 1 threads alive between jobs and lets the
// calling thread work as worker 0, as OpenMP and TBB do.
#include <memory>
#include <system_error>
#include <thread>
#include <vector>

#include "backends/backend.hpp"
#include "backends/team.hpp"

namespace parbench {
namespace {

class ThreadBackend final : public Backend {
 public:
  explicit ThreadBackend(bool pooled) : pooled_(pooled) {}
  ~ThreadBackend() override { stop_pool(); }

  unsigned start(const Work& work, unsigned workers) override {
    work_ = &work;
    workers_ = workers;
    slots_ = std::vector<WorkerSlot>(workers);
    if (pooled_) start_pool();
    return workers;
  }

  std::uint64_t run(const Policy& policy) override {
    return pooled_ ? run_pooled(policy) : run_spawned(policy);
  }

 private:
  std::uint64_t total() const {
    std::uint64_t sum = 0;
    for (const auto& s : slots_) sum += s.partial;
    return sum;
  }

  std::uint64_t run_spawned(const Policy& policy) {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    threads.reserve(workers_);
    try {
      for (unsigned w = 0; w < workers_; ++w)
        threads.emplace_back([&, w] {
          pin_calling_thread(cpu_for_worker(pin_, w));
          slots_[w].partial = run_share(*work_, policy, w, workers_, next);
        });
    } catch (const std::system_error& e) {
      for (auto& t : threads) t.join();
      throw WorkerFailure(std::string("cannot create thread: ") + e.what());
    }
    for (auto& t : threads) t.join();
    return total();
  }

  void start_pool() {
    board_.stop = 0;
    spin_ = should_spin(workers_);
    // The calling thread is worker 0 of the pool; its own placement comes back at the end.
    if (pin_ != Pin::none) {
      caller_affinity_ = std::make_unique<SavedAffinity>();
      pin_calling_thread(cpu_for_worker(pin_, 0));
    }
    try {
      for (unsigned w = 1; w < workers_; ++w)
        threads_.emplace_back([this, w] {
          pin_calling_thread(cpu_for_worker(pin_, w));
          serve(w);
        });
    } catch (const std::system_error& e) {
      stop_pool();
      throw WorkerFailure(std::string("cannot create thread: ") + e.what());
    }
  }

  void stop_pool() {
    if (threads_.empty()) return;
    board_.stop.store(1);
    bump_and_wake(board_.generation, false, board_.workers_asleep);
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  void serve(unsigned worker) {
    std::uint32_t seen = 0;
    for (;;) {
      await_change(board_.generation, seen, spin_, false, board_.workers_asleep);
      seen = board_.generation.load(std::memory_order_acquire);
      if (board_.stop.load(std::memory_order_acquire)) return;
      slots_[worker].partial = run_share(*work_, *policy_, worker, workers_, board_.next);
      if (board_.remaining.fetch_sub(1, std::memory_order_acq_rel) == 1)
        bump_and_wake(board_.done, false, board_.caller_asleep);
    }
  }

  std::uint64_t run_pooled(const Policy& policy) {
    policy_ = &policy;
    board_.next.store(0, std::memory_order_relaxed);
    const std::uint32_t done = board_.done.load(std::memory_order_relaxed);
    board_.remaining.store(workers_ - 1, std::memory_order_relaxed);
    bump_and_wake(board_.generation, false, board_.workers_asleep);
    slots_[0].partial = run_share(*work_, policy, 0, workers_, board_.next);
    if (workers_ > 1) await_change(board_.done, done, spin_, false, board_.caller_asleep);
    return total();
  }

  const bool pooled_;
  const Work* work_ = nullptr;
  unsigned workers_ = 0;
  bool spin_ = false;
  std::vector<WorkerSlot> slots_;
  std::vector<std::thread> threads_;
  JobBoard board_;
  const Policy* policy_ = nullptr;
  std::unique_ptr<SavedAffinity> caller_affinity_;
};

}  // namespace

std::unique_ptr<Backend> make_thread_backend(const std::string& launch) {
  return std::make_unique<ThreadBackend>(launch == "pool");
}

}  // namespace parbench
