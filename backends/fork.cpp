// fork: worker processes. Data made before fork() is shared copy-on-write; partial results, the
// job board and the dynamic counter live in MAP_SHARED memory. `spawn` forks one child per
// worker for every job and reaps them; `pool` forks workers - 1 children once, in start(), feeds
// them jobs through the board and works as worker 0 itself, as the thread pool's caller does.
// Workers make the data (first touch) only where their writes reach the parent and each other: in
// shared mappings. A child that dies becomes a WorkerFailure; every child is reaped. Children only
// ever call Work::run: never OpenMP, TBB, malloc-heavy or stdio code.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "backends/team.hpp"
#include "platform/children.hpp"
#include "platform/clocks.hpp"
#include "platform/machine.hpp"
#include "platform/mapping.hpp"
#include "schema/names.hpp"

namespace parbench {
namespace {

std::string describe_exit(int status, unsigned worker) {
  return "fork worker " + std::to_string(worker) + " " + how_it_ended(status);
}

bool exited_cleanly(int status) {
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The processes a fork backend has forked and not yet reaped. A child that dies is found by
// check(); every child is reaped by the time this ends.
class ForkedWorkers {
 public:
  ~ForkedWorkers() { kill_and_reap_all(); }

  // Forks one child that runs `body(worker)` and leaves with _exit; throws WorkerFailure, after
  // killing and reaping the others, when fork fails.
  template <typename Body>
  void fork_worker(unsigned worker, Pin pin, Body body) {
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
      pin_worker(pin, worker);
      try {
        body(worker);
      } catch (...) {
        _exit(3);
      }
      _exit(0);
    }
    track_child(pid);
    children_.push_back({pid, worker});
  }

  std::size_t size() const { return children_.size(); }

  // Throws WorkerFailure, after killing and reaping the others, if a child has died: a dead
  // child never finishes its share.
  void check() {
    for (auto c = children_.begin(); c != children_.end(); ++c) {
      int status = 0;
      if (reap_child(c->pid, &status, false)) {
        const unsigned worker = c->worker;
        children_.erase(c);
        kill_and_reap_all();
        throw WorkerFailure(describe_exit(status, worker));
      }
    }
  }

  // Waits for every child to end; the first that did not end cleanly, described, if one did not.
  std::optional<std::string> reap_all() {
    std::optional<std::string> failure;
    for (const Child& c : children_) {
      int status = 0;
      reap_child(c.pid, &status, true);
      if (!exited_cleanly(status) && !failure) failure = describe_exit(status, c.worker);
    }
    children_.clear();
    return failure;
  }

  void kill_and_reap_all() {
    for (const Child& c : children_) kill(c.pid, SIGKILL);
    reap_all();
  }

  // CPU seconds the children alive now have used, read from the parent through each one's CPU
  // clock: the children spend no system call of their own on it in any job.
  double cpu_seconds() const {
    double total = 0;
    for (const Child& c : children_) {
      clockid_t clock;
      if (clock_getcpuclockid(c.pid, &clock) == 0) total += clock_seconds(clock);
    }
    return total;
  }

 private:
  struct Child {
    pid_t pid;
    unsigned worker;
  };
  std::vector<Child> children_;
};

class ForkBackend final : public Backend {
 public:
  explicit ForkBackend(bool pooled) : pooled_(pooled), board_(1) {
    board().share_between_processes();
  }
  ~ForkBackend() override { stop_pool(); }

  unsigned start(Work& work, unsigned workers) override {
    work_ = &work;
    workers_ = workers;
    if (pooled_) {
      // Children forked now see private pages only as they are now: made later, they would
      // stay the parent's.
      if (work.has_data() && !work.data_shared_across_fork() && work.made() == Work::Made::not_yet)
        work.prepare_serially();
      start_pool();
    } else {
      slots_ = SharedArray<WorkerSlot>(workers);
    }
    return workers;
  }

  double children_cpu_seconds() const override {
    return pooled_ ? children_.cpu_seconds() : reaped_children_cpu_seconds();
  }

 protected:
  std::uint64_t run_pass(const Policy& policy, Pass pass) override {
    const Job job{pass, policy.how<Share>(), policy.grain()};
    return pooled_ ? run_pooled(job) : run_spawned(job);
  }
  Work& work() const override { return *work_; }
  std::optional<std::string> why_workers_cannot_prepare() const override {
    if (work_->data_shared_across_fork()) return std::nullopt;
    return "forked workers cannot write the parent's private pages (--data-mapping=shared can)";
  }

 private:
  JobBoard& board() const { return board_[0]; }

  std::uint64_t run_spawned(const Job& job) {
    std::atomic<std::size_t>& next = board().queue();
    next.store(0);
    for (unsigned w = 0; w < workers_; ++w)
      children_.fork_worker(w, pin_, [&](unsigned worker) {
        slots_[worker].partial = run_share(*work_, job, worker, workers_, next);
      });
    if (const auto failure = children_.reap_all()) throw WorkerFailure(*failure);
    return sum_of_partials(slots_);
  }

  // The parent is worker 0 of the pool, as the thread pool's caller is, so that threads and
  // processes are compared on the same shape: workers - 1 children and the parent.
  void start_pool() {
    waiting_ = waiting_for(workers_);
    if (pin_ != Pin::none) {
      parent_affinity_ = std::make_unique<SavedAffinity>();
      pin_worker(pin_, 0);
    }
    for (unsigned w = 1; w < workers_; ++w)
      children_.fork_worker(w, pin_, [this](unsigned worker) { serve(worker); });
  }

  void serve(unsigned worker) {
    JobBoard& b = board();
    std::uint32_t seen = 0;
    while (b.next(seen, waiting_))
      b.finish(run_share(*work_, b.job(), worker, workers_, b.queue()));
  }

  std::uint64_t run_pooled(const Job& job) {
    if (children_.size() + 1 != workers_) throw WorkerFailure("fork pool lost a worker earlier");
    return run_as_worker_zero(board(), *work_, job, workers_, waiting_,
                              [this] { children_.check(); });
  }

  void stop_pool() {
    if (children_.size() == 0) return;
    board().stop();
    children_.reap_all();
  }

  const bool pooled_;
  Work* work_ = nullptr;
  unsigned workers_ = 0;
  Waiting waiting_ = Waiting::sleep;
  SharedArray<JobBoard> board_;
  SharedArray<WorkerSlot> slots_;  // spawn's partial results
  ForkedWorkers children_;
  std::unique_ptr<SavedAffinity> parent_affinity_;
};

// The pool's job board alone, shared between processes: an empty job posted to workers - 1
// forked children, each finishing at once with a count of one, the last waking the parent, which
// took part too. The children and the parent wait as the pool's do.
class BareForkBoard {
 public:
  explicit BareForkBoard(unsigned workers)
      : board_(1), workers_(workers), waiting_(waiting_for(workers)) {
    board_[0].share_between_processes();
    for (unsigned w = 1; w < workers; ++w)
      children_.fork_worker(w, Pin::none, [this](unsigned) {
        JobBoard& b = board_[0];
        std::uint32_t seen = 0;
        while (b.next(seen, waiting_)) b.finish(1);
      });
  }
  ~BareForkBoard() {
    board_[0].stop();
    children_.reap_all();
  }
  std::uint64_t job() {
    if (children_.size() + 1 != workers_) throw WorkerFailure("fork floor lost a worker earlier");
    if (children_.size() == 0) return 1;
    JobBoard& b = board_[0];
    b.wait(b.post(Job{}, workers_ - 1), waiting_, [this] { children_.check(); });
    return b.result() + 1;  // the parent took part too
  }

 private:
  SharedArray<JobBoard> board_;
  unsigned workers_;
  Waiting waiting_;
  ForkedWorkers children_;
};

DispatchFloor board_floor() {
  DispatchFloor floor;
  floor.launch = "pool";
  floor.what =
      "the job board alone, shared between processes: post an empty job, every forked worker "
      "finishes, the parent too, wait";
  floor.start = [](unsigned workers) {
    auto board = std::make_shared<BareForkBoard>(workers);
    return std::function<std::uint64_t()>([board] { return board->job(); });
  };
  return floor;
}

// fork + _exit + waitpid while the process has `bytes` touched in a mapping of the given kind:
// fork copies the page tables of private memory, which is what grows with the process.
LaunchProbe fork_wait_probe(std::size_t bytes, Mapping mapping) {
  LaunchProbe probe;
  probe.what = "fork_wait";
  probe.detail =
      "mapping:" + std::string(to_string(mapping)) + "/bytes:" + schema::exact_bytes_text(bytes);
  probe.launch = "spawn";
  probe.params = {{"bytes", bytes}, {"mapping", to_string(mapping)}};
  probe.prepare = [bytes, mapping] {
    auto region = std::make_shared<MappedRegion>(bytes, mapping);
    if (bytes > 0) std::memset(region->data(), 1, bytes);
    return std::function<std::optional<std::string>()>([region]() -> std::optional<std::string> {
      const pid_t pid = fork();
      if (pid == 0) _exit(0);
      int status = 0;
      if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return "fork failed";
      return std::nullopt;
    });
  };
  return probe;
}

std::vector<LaunchProbe> fork_wait_probes() {
  const std::size_t big =
      std::min<std::size_t>(std::size_t{256} << 20, available_memory_bytes() / 4);
  return {fork_wait_probe(0, Mapping::private_pages), fork_wait_probe(big, Mapping::private_pages),
          fork_wait_probe(big, Mapping::private_hugepages), fork_wait_probe(big, Mapping::shared)};
}

}  // namespace

BackendInfo fork_backend_info() {
  return {.name = "fork",
          .launches = {"spawn", "pool"},
          .sum_policies = counter_sum_policies(),
          .task_policies = counter_task_policies(),
          .create = [](const std::string& launch) -> std::unique_ptr<Backend> {
            return std::make_unique<ForkBackend>(launch == "pool");
          },
          .reference = false,
          .reports_children_cpu = true,
          .timed_starts = {"pool"},
          .workers_per_job = {"spawn"},
          .launch_probes = fork_wait_probes,
          .runtime = nullptr,
          .dispatch_floor = board_floor(),
          .sum_params = nullptr};
}

}  // namespace parbench
