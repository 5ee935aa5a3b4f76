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

  unsigned start(Work& work, unsigned workers) override {
    work_ = &work;
    workers_ = workers;
    if (pooled_)
      start_pool();
    else
      slots_ = std::vector<WorkerSlot>(workers);
    return workers;
  }

 protected:
  std::uint64_t run_pass(const Policy& policy, Pass pass) override {
    const Job job{pass, policy.how<Share>(), policy.grain()};
    return pooled_ ? run_pooled(job) : run_spawned(job);
  }
  Work& work() const override { return *work_; }

 private:
  std::uint64_t run_spawned(const Job& job) {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    threads.reserve(workers_);
    try {
      for (unsigned w = 0; w < workers_; ++w)
        threads.emplace_back([&, w] {
          pin_worker(pin_, w);
          slots_[w].partial = run_share(*work_, job, w, workers_, next);
        });
    } catch (const std::system_error& e) {
      for (auto& t : threads) t.join();
      throw WorkerFailure(std::string("cannot create thread: ") + e.what());
    }
    for (auto& t : threads) t.join();
    return sum_of_partials(slots_);
  }

  void start_pool() {
    waiting_ = waiting_for(workers_);
    // The calling thread is worker 0 of the pool; its own placement comes back at the end.
    if (pin_ != Pin::none) {
      caller_affinity_ = std::make_unique<SavedAffinity>();
      pin_worker(pin_, 0);
    }
    try {
      for (unsigned w = 1; w < workers_; ++w)
        threads_.emplace_back([this, w] {
          pin_worker(pin_, w);
          serve(w);
        });
    } catch (const std::system_error& e) {
      stop_pool();
      throw WorkerFailure(std::string("cannot create thread: ") + e.what());
    }
  }

  void stop_pool() {
    if (threads_.empty()) return;
    board_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  void serve(unsigned worker) {
    std::uint32_t seen = 0;
    while (board_.next(seen, waiting_))
      board_.finish(run_share(*work_, board_.job(), worker, workers_, board_.queue()));
  }

  std::uint64_t run_pooled(const Job& job) {
    return run_as_worker_zero(board_, *work_, job, workers_, waiting_);
  }

  const bool pooled_;
  Work* work_ = nullptr;
  unsigned workers_ = 0;
  Waiting waiting_ = Waiting::sleep;
  std::vector<WorkerSlot> slots_;  // spawn's partial results
  std::vector<std::thread> threads_;
  JobBoard board_;
  std::unique_ptr<SavedAffinity> caller_affinity_;
};

// The cost of one thread, alone: created, run (empty) and joined.
std::vector<LaunchProbe> create_join_probe() {
  LaunchProbe probe;
  probe.what = "create_join";
  probe.launch = "spawn";
  probe.prepare = [] {
    return std::function<std::optional<std::string>()>([]() -> std::optional<std::string> {
      std::thread t([] {});
      t.join();
      return std::nullopt;
    });
  };
  return {probe};
}

// The pool's job board alone: an empty job posted to workers - 1 threads, each finishing at
// once with a count of one, the last waking the caller (a futex round trip when they sleep).
class BareBoard {
 public:
  explicit BareBoard(unsigned workers) : waiting_(waiting_for(workers)) {
    for (unsigned w = 1; w < workers; ++w)
      threads_.emplace_back([this] {
        std::uint32_t seen = 0;
        while (board_.next(seen, waiting_)) board_.finish(1);
      });
  }
  ~BareBoard() {
    board_.stop();
    for (auto& t : threads_) t.join();
  }
  std::uint64_t job() {
    if (threads_.empty()) return 1;
    board_.wait(board_.post(Job{}, static_cast<unsigned>(threads_.size())), waiting_);
    return board_.result() + 1;  // the caller took part too
  }

 private:
  Waiting waiting_;
  JobBoard board_;
  std::vector<std::thread> threads_;
};

DispatchFloor board_floor() {
  DispatchFloor floor;
  floor.launch = "pool";
  floor.what = "the job board alone: post an empty job, every thread finishes, wait";
  floor.start = [](unsigned workers) {
    auto board = std::make_shared<BareBoard>(workers);
    return std::function<std::uint64_t()>([board] { return board->job(); });
  };
  return floor;
}

}  // namespace

BackendInfo thread_backend_info() {
  return {.name = "thread",
          .launches = {"spawn", "pool"},
          .sum_policies = counter_sum_policies(),
          .task_policies = counter_task_policies(),
          .create = [](const std::string& launch) -> std::unique_ptr<Backend> {
            return std::make_unique<ThreadBackend>(launch == "pool");
          },
          .reference = false,
          .reports_children_cpu = false,
          .timed_starts = {"pool"},
          .workers_per_job = {"spawn"},
          .launch_probes = create_join_probe,
          .runtime = nullptr,
          .dispatch_floor = board_floor(),
          .sum_params = nullptr,
          .launcher = std::nullopt,
          // Threads kept between jobs: every read of the calibration is timed without starting
          // anyone.
          .calibrates = "pool"};
}

}  // namespace parbench
