// fork: worker processes. Data made before fork() is shared copy-on-write; partial results, the
// job board and the dynamic counter live in MAP_SHARED memory. `spawn` forks one child per
// worker for every job and reaps them; `pool` forks the workers once, in start(), and feeds them
// jobs through the board. A child that dies becomes a WorkerFailure; every child is reaped.
// Children only ever call Work::run: never OpenMP, TBB, malloc-heavy or stdio code.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "backends/backend.hpp"
#include "backends/team.hpp"
#include "platform/children.hpp"
#include "platform/clocks.hpp"
#include "platform/mapping.hpp"

namespace parbench {
namespace {

std::string describe_exit(int status, unsigned worker) {
  const std::string who = "fork worker " + std::to_string(worker);
  if (WIFSIGNALED(status))
    return who + " killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  return who + " exited with status " + std::to_string(WEXITSTATUS(status));
}

bool exited_cleanly(int status) {
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class ForkBackend final : public Backend {
 public:
  explicit ForkBackend(bool pooled) : pooled_(pooled), board_(1) {}
  ~ForkBackend() override { stop_pool(); }

  unsigned start(const Work& work, unsigned workers) override {
    work_ = &work;
    workers_ = workers;
    slots_ = SharedArray<WorkerSlot>(workers);
    if (pooled_) start_pool();
    return workers;
  }

  std::uint64_t run(const Policy& policy) override {
    return pooled_ ? run_pooled(policy) : run_spawned(policy);
  }

  double children_cpu_seconds() const override {
    if (!pooled_) return reaped_children_cpu_seconds();
    double total = 0;
    for (const auto& s : slots_) total += s.cpu_seconds;
    return total;
  }

 private:
  JobBoard& board() const { return board_[0]; }

  std::uint64_t total() const {
    std::uint64_t sum = 0;
    for (const auto& s : slots_) sum += s.partial;
    return sum;
  }

  // Forks one child that runs `body(worker)` and leaves with _exit; the parent gets its pid.
  template <typename Body>
  pid_t fork_worker(unsigned worker, Body body) {
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
      const std::string why = std::strerror(errno);
      kill_and_reap_all();
      throw WorkerFailure("fork failed: " + why);
    }
    if (pid == 0) {
      // A child must not outlive a parent that was killed mid-run.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      pin_calling_thread(cpu_for_worker(pin_, worker));
      try {
        body(worker);
      } catch (...) {
        _exit(3);
      }
      _exit(0);
    }
    track_child(pid);
    children_.push_back(pid);
    return pid;
  }

  void kill_and_reap_all() {
    for (pid_t pid : children_) kill(pid, SIGKILL);
    for (pid_t pid : children_) {
      int status = 0;
      reap_child(pid, &status, true);
    }
    children_.clear();
  }

  std::uint64_t run_spawned(const Policy& policy) {
    board().next.store(0);
    for (unsigned w = 0; w < workers_; ++w)
      fork_worker(w, [&](unsigned worker) {
        slots_[worker].partial = run_share(*work_, policy, worker, workers_, board().next);
      });
    std::string failure;
    for (unsigned w = 0; w < children_.size(); ++w) {
      int status = 0;
      reap_child(children_[w], &status, true);
      if (!exited_cleanly(status) && failure.empty()) failure = describe_exit(status, w);
    }
    children_.clear();
    if (!failure.empty()) throw WorkerFailure(failure);
    return total();
  }

  void start_pool() {
    // Children spin for the next job only while they fit on the CPUs; their spin ends in yields,
    // so the sleeping parent still gets a CPU to collect results. The parent is one thread more.
    spin_ = should_spin(workers_);
    parent_spin_ = should_spin(workers_ + 1);
    for (unsigned w = 0; w < workers_; ++w)
      fork_worker(w, [this](unsigned worker) { serve(worker); });
  }

  void serve(unsigned worker) {
    JobBoard& b = board();
    std::uint32_t seen = 0;
    for (;;) {
      await_change(b.generation, seen, spin_, true, b.workers_asleep);
      seen = b.generation.load();
      if (b.stop.load()) return;
      const Policy policy{"", b.split, b.grain};
      slots_[worker].partial = run_share(*work_, policy, worker, workers_, b.next);
      slots_[worker].cpu_seconds = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
      if (b.remaining.fetch_sub(1) == 1) bump_and_wake(b.done, true, b.caller_asleep);
    }
  }

  // The first child found dead, described; "" while all live.
  std::string dead_child() {
    for (unsigned w = 0; w < children_.size(); ++w) {
      int status = 0;
      if (reap_child(children_[w], &status, false)) {
        children_.erase(children_.begin() + w);
        return describe_exit(status, w);
      }
    }
    return "";
  }

  std::uint64_t run_pooled(const Policy& policy) {
    if (children_.size() != workers_) throw WorkerFailure("fork pool lost a worker earlier");
    JobBoard& b = board();
    b.split = policy.split;
    b.grain = policy.grain;
    b.next.store(0);
    b.remaining.store(workers_);
    const std::uint32_t done = b.done.load();
    bump_and_wake(b.generation, true, b.workers_asleep);
    wait_until_done(done);
    return total();
  }

  void wait_until_done(std::uint32_t done_before) {
    JobBoard& b = board();
    constexpr int kSpins = 1 << 14;
    for (int i = 0; parent_spin_ && i < kSpins; ++i)
      if (b.done.load(std::memory_order_acquire) != done_before) return;
    // Sleep in short slices: a child that died never reports done, and must be noticed.
    b.caller_asleep.fetch_add(1);
    while (b.done.load() == done_before) {
      futex_wait(b.done, done_before, true, 10'000'000);
      if (b.done.load() != done_before) break;
      if (std::string failure = dead_child(); !failure.empty()) {
        b.caller_asleep.fetch_sub(1);
        kill_and_reap_all();
        throw WorkerFailure(failure);
      }
    }
    b.caller_asleep.fetch_sub(1);
  }

  void stop_pool() {
    if (children_.empty()) return;
    board().stop.store(1);
    bump_and_wake(board().generation, true, board().workers_asleep);
    for (pid_t pid : children_) {
      int status = 0;
      reap_child(pid, &status, true);
    }
    children_.clear();
  }

  const bool pooled_;
  const Work* work_ = nullptr;
  unsigned workers_ = 0;
  bool spin_ = false;
  bool parent_spin_ = false;
  SharedArray<JobBoard> board_;
  SharedArray<WorkerSlot> slots_;
  std::vector<pid_t> children_;
};

}  // namespace

std::unique_ptr<Backend> make_fork_backend(const std::string& launch) {
  return std::make_unique<ForkBackend>(launch == "pool");
}

}  // namespace parbench
