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
    const std::size_t n = work_->items();
    const std::size_t grain = policy.grain();
    const std::size_t pieces = piece_count(n, grain);
    const Schedule schedule = policy.how<Schedule>();
    auto run_piece = [&](std::size_t piece) {
      const unsigned w = static_cast<unsigned>(omp_get_thread_num());
      const std::size_t begin = piece * grain;
      slots_[w].partial += work_->apply(pass, w, begin, std::min(n, begin + grain), 1);
    };
#pragma omp parallel num_threads(workers_)
    {
      const unsigned w = static_cast<unsigned>(omp_get_thread_num());
      const unsigned p = static_cast<unsigned>(omp_get_num_threads());
      // Each thread adds only into its own slot (a task into the slot of the thread that runs
      // it, which has zeroed its slot before it can run one): no barrier is needed here.
      slots_[w].partial = 0;
      switch (schedule) {
        case Schedule::static_blocks: {  // the assignment schedule(static) makes
          const Range r = block_range(n, p, w);
          if (r.size() > 0) slots_[w].partial = work_->apply(pass, w, r.begin, r.end, 1);
          break;
        }
        case Schedule::static_cyclic:  // schedule(static, 1): item i goes to thread i % p
          if (w < n) slots_[w].partial = work_->apply(pass, w, w, n, p);
          break;
        case Schedule::dynamic:
#pragma omp for schedule(dynamic, 1) nowait
          for (std::size_t piece = 0; piece < pieces; ++piece) run_piece(piece);
          break;
        case Schedule::guided:
#pragma omp for schedule(guided, 1) nowait
          for (std::size_t piece = 0; piece < pieces; ++piece) run_piece(piece);
          break;
        case Schedule::tasks:
#pragma omp single nowait
          for (std::size_t piece = 0; piece < pieces; ++piece) {
#pragma omp task firstprivate(piece)
            run_piece(piece);
          }
          break;
      }
    }
    return sum_of_partials(slots_);
  }

 private:
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
    return PolicyName{name, split, takes_grain, false, static_cast<int>(how)};
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
          .dispatch_floor = openmp_floor()};
}

}  // namespace parbench
