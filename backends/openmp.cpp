// openmp: the compiler's OpenMP runtime and its own thread team. The team size is given on
// each parallel region (num_threads) with dynamic adjustment off, so the runtime must give
// exactly what was asked; start() checks what it really gave.
#include <omp.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "backends/backend.hpp"
#include "backends/team.hpp"
#include "kernels/partition.hpp"
#include "platform/machine.hpp"

namespace parbench {
namespace {

// The schedules this backend offers, as its policies name them.
enum class Schedule { static_blocks, static_cyclic, dynamic, guided, tasks };

class OpenMPBackend final : public Backend {
 public:
  unsigned start(Work& work, unsigned workers) override {
    work_ = &work;
    workers_ = workers;
    check_threads_can_be_created(workers - 1);
    omp_set_dynamic(0);
    // The first region creates the team's threads: keep that out of every timed job.
    // Placement is done as for every backend, by pinning each team thread; the master comes
    // back to its own placement when the backend ends.
    if (pin_ != Pin::none) master_affinity_ = std::make_unique<SavedAffinity>();
    unsigned obtained = 0;
#pragma omp parallel num_threads(workers_)
    {
      pin_worker(pin_, static_cast<unsigned>(omp_get_thread_num()));
#pragma omp single
      obtained = static_cast<unsigned>(omp_get_num_threads());
    }
    slots_ = std::vector<WorkerSlot>(obtained);
    return obtained;
  }

 protected:
  Work& work() const override {
    return *work_;
  }
  std::uint64_t run_pass(const Policy& policy, Pass pass) override {
    const Args args{work_->items(), policy.grain(), pass, policy.how<Schedule>()};
    // Written only when it changes: a line the master writes is one every thread must fetch.
    if (!(args_ == args)) args_ = args;
    return run_job();
  }

 private:
  // What every thread of a job reads, on one line of its own.
  struct alignas(64) Args {
    std::size_t n = 0;
    std::size_t grain = 1;
    Pass pass = Pass::compute;
    Schedule schedule = Schedule::static_blocks;
    bool operator==(const Args&) const = default;
  };

  // One region per schedule, each reading nothing of the master's stack but its own data block
  // (this, and the reduction's total): each line of the master's stack a thread read would be
  // one more cache line to move to every thread in every job, and a region that could run any
  // schedule costs every thread the set-up of all of them. The threads' partial results come
  // back through the region's own reduction, as in the bare floor, rather than through a slot
  // per thread that the master reads afterwards; only tasks, which cannot reach the
  // reduction's copies, use the slots.
  std::uint64_t run_job() {
    switch (args_.schedule) {
      case Schedule::static_blocks:
        return run_static_blocks();
      case Schedule::static_cyclic:
        return run_static_cyclic();
      case Schedule::dynamic:
        return run_dynamic();
      case Schedule::guided:
        return run_guided();
      case Schedule::tasks:
        return run_tasks();
    }
    return 0;
  }

  // The assignment schedule(static) makes.
  std::uint64_t run_static_blocks() {
    std::uint64_t total = 0;
#pragma omp parallel num_threads(workers_) reduction(+ : total)
    {
      const unsigned w = static_cast<unsigned>(omp_get_thread_num());
      const Range r = block_range(args_.n, static_cast<unsigned>(omp_get_num_threads()), w);
      if (r.size() > 0) total += work_->apply(args_.pass, w, r.begin, r.end, 1);
    }
    return total;
  }

  // schedule(static, 1): item i goes to thread i % p.
  std::uint64_t run_static_cyclic() {
    std::uint64_t total = 0;
#pragma omp parallel num_threads(workers_) reduction(+ : total)
    {
      const unsigned w = static_cast<unsigned>(omp_get_thread_num());
      const unsigned p = static_cast<unsigned>(omp_get_num_threads());
      if (w < args_.n) total += work_->apply(args_.pass, w, w, args_.n, p);
    }
    return total;
  }

  std::uint64_t run_dynamic() {
    std::uint64_t total = 0;
#pragma omp parallel num_threads(workers_) reduction(+ : total)
    {
      const unsigned w = static_cast<unsigned>(omp_get_thread_num());
      const std::size_t pieces = piece_count(args_.n, args_.grain);
#pragma omp for schedule(dynamic, 1) nowait
      for (std::size_t piece = 0; piece < pieces; ++piece) total += run_piece(w, piece);
    }
    return total;
  }

  std::uint64_t run_guided() {
    std::uint64_t total = 0;
#pragma omp parallel num_threads(workers_) reduction(+ : total)
    {
      const unsigned w = static_cast<unsigned>(omp_get_thread_num());
      const std::size_t pieces = piece_count(args_.n, args_.grain);
#pragma omp for schedule(guided, 1) nowait
      for (std::size_t piece = 0; piece < pieces; ++piece) total += run_piece(w, piece);
    }
    return total;
  }

  // One task per piece, all made by one thread; each adds into the slot of the thread that runs
  // it, which has zeroed its slot before it can run one: no barrier is needed here.
  std::uint64_t run_tasks() {
#pragma omp parallel num_threads(workers_)
    {
      slots_[static_cast<unsigned>(omp_get_thread_num())].partial = 0;
      const std::size_t pieces = piece_count(args_.n, args_.grain);
#pragma omp single nowait
      for (std::size_t piece = 0; piece < pieces; ++piece) {
#pragma omp task firstprivate(piece)
        {
          const unsigned runner = static_cast<unsigned>(omp_get_thread_num());
          slots_[runner].partial += run_piece(runner, piece);
        }
      }
    }
    return sum_of_partials(slots_);
  }

  // Piece `piece` of the job's grain, run on behalf of `worker`.
  std::uint64_t run_piece(unsigned worker, std::size_t piece) const {
    const std::size_t begin = piece * args_.grain;
    return work_->apply(args_.pass, worker, begin, std::min(args_.n, begin + args_.grain), 1);
  }

  Args args_;
  Work* work_ = nullptr;
  unsigned workers_ = 0;
  std::vector<WorkerSlot> slots_;
  std::unique_ptr<SavedAffinity> master_affinity_;
};

}  // namespace

// The version the compiler implements, the runtime library really loaded (libgomp or libomp,
// told apart at run time) and its default team size.
static const char* proc_bind_name(omp_proc_bind_t bind) {
  switch (bind) {
    case omp_proc_bind_false:
      return "false";
    case omp_proc_bind_true:
      return "true";
    case omp_proc_bind_master:
      return "master";
    case omp_proc_bind_close:
      return "close";
    case omp_proc_bind_spread:
      return "spread";
  }
  return "unknown";
}

// Where the runtime itself binds its threads, as OMP_PROC_BIND and OMP_PLACES told it (their
// text is in the context's env): parbench's --pin binds them itself, the same for every backend.
static nlohmann::json openmp_runtime() {
  return {{"version", _OPENMP},
          {"runtime", shared_object_of(reinterpret_cast<void*>(&omp_get_num_threads))},
          {"max_threads", omp_get_max_threads()},
          {"proc_bind", proc_bind_name(omp_get_proc_bind())},
          {"places", omp_get_num_places()}};
}

// A parallel region with a reduction: what EPCC's syncbench times as REDUCTION.
static DispatchFloor openmp_floor() {
  DispatchFloor floor;
  floor.launch = "team";
  floor.what = "omp parallel num_threads(P) reduction(+)";
  floor.start = [](unsigned workers) {
    check_threads_can_be_created(workers - 1);
    omp_set_dynamic(0);
    const int team = static_cast<int>(workers);
    auto job = [team]() -> std::uint64_t {
      std::uint64_t count = 0;
#pragma omp parallel num_threads(team) reduction(+ : count)
      count += 1;
      return count;
    };
    job();  // the runtime's team is made here, not in a timed job
    return std::function<std::uint64_t()>(job);
  };
  return floor;
}

BackendInfo openmp_backend_info() {
  auto policy = [](const char* name, Split split, bool takes_grain, Schedule how) {
    return PolicyName{name, split, takes_grain, false, how};
  };
  const std::vector<PolicyName> loops = {
      policy("static", Split::block, false, Schedule::static_blocks),
      policy("static1", Split::cyclic, false, Schedule::static_cyclic),
      policy("dynamic", Split::dynamic, true, Schedule::dynamic),
      policy("guided", Split::guided, true, Schedule::guided)};
  std::vector<PolicyName> with_tasks = loops;
  // One task per piece, all made by one thread: idle threads take them from the runtime's queue.
  with_tasks.push_back(policy("tasks", Split::stealing, true, Schedule::tasks));
  return {.name = "openmp",
          .launches = {"team"},
          .sum_policies = loops,
          .task_policies = with_tasks,
          .create = [](const std::string&) -> std::unique_ptr<Backend> {
            return std::make_unique<OpenMPBackend>();
          },
          .reference = false,
          .reports_children_cpu = false,
          .timed_starts = {},
          .workers_per_job = {},
          .launch_probes = nullptr,
          .runtime = openmp_runtime,
          .dispatch_floor = openmp_floor(),
          .sum_params = nullptr};
}

}  // namespace parbench
