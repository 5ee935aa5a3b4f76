// tbb: oneTBB's work-stealing scheduler in an arena of the requested size. No arena can exceed
// the process-wide parallelism limit (the hardware by default), so a global_control sets it;
// both live from start() to the backend's end, outside timing.
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>
#include <tbb/task_scheduler_observer.h>
#include <tbb/version.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <new>
#include <thread>
#include <vector>

#include "backends/backend.hpp"
#include "backends/team.hpp"
#include "kernels/partition.hpp"
#include "platform/machine.hpp"

namespace parbench {
namespace {

// oneTBB loads tbbbind (its NUMA support) with dlopen(RTLD_DEEPBIND), which the sanitizers'
// runtimes refuse by ending the process: a sanitized build never asks for NUMA nodes, and its
// numa policy is one arena without constraints.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kMayLoadTbbbind = false;
#else
constexpr bool kMayLoadTbbbind = true;
#endif

// The NUMA nodes oneTBB sees: [-1] (one node of every CPU) when it has no tbbbind.
std::vector<tbb::numa_node_id> tbb_numa_nodes() {
  if (!kMayLoadTbbbind) return {tbb::task_arena::automatic};
  return tbb::info::numa_nodes();
}

// The ways this backend runs a job, as its policies name them.
enum class Way {
  auto_partitioner,
  simple_partitioner,
  static_partitioner,
  affinity_partitioner,
  task_group,
  queue,
  numa_arenas
};

class TbbBackend final : public Backend {
 public:
  unsigned start(Work& work, unsigned workers) override {
    work_ = &work;
    workers_ = workers;
    check_threads_can_be_created(workers - 1);
    // The limit counts the calling thread. The arena keeps a slot for it and needs workers - 1
    // of TBB's threads; the node arenas (numa policy) keep none and need all `workers`. The
    // lowest limit alive holds for the whole process, and the benchmarks of one group are
    // started side by side: every backend asks for the higher one.
    control_ = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                     workers + 1);
    arena_ = std::make_unique<tbb::task_arena>(static_cast<int>(workers));
    arena_->initialize();
    if (pin_ != Pin::none) {
      master_affinity_ = std::make_unique<SavedAffinity>();
      observer_ = std::make_unique<PinningObserver>(*arena_, pin_);
    }
    slots_ = std::vector<Slot>(static_cast<std::size_t>(arena_->max_concurrency()));
    return gather_workers(workers);
  }

 protected:
  Work& work() const override { return *work_; }

  std::uint64_t run_pass(const Policy& policy, Pass pass) override {
    const std::size_t n = work_->items();
    const std::size_t grain = policy.grain();
    // One small function for the arena per way, rather than one that chooses inside: the arena
    // runs less of parbench's own code in each job.
    switch (policy.how<Way>()) {
      case Way::auto_partitioner: {
        const tbb::auto_partitioner partitioner;
        run_for(pass, n, grain, partitioner);
        break;
      }
      case Way::simple_partitioner: {
        const tbb::simple_partitioner partitioner;
        run_for(pass, n, grain, partitioner);
        break;
      }
      case Way::static_partitioner: {
        const tbb::static_partitioner partitioner;
        run_for(pass, n, grain, partitioner);
        break;
      }
      case Way::affinity_partitioner:
        // Remembers where each piece ran, across this backend's jobs: the prepare pass's
        // placement is replayed by every later job, as oneTBB advises for first touch.
        run_for(pass, n, grain, affinity_);
        break;
      case Way::queue:
        arena_->execute([&] { run_from_queue(Job{pass, Share::queue, grain}); });
        break;
      case Way::task_group:
        arena_->execute([&] {
          tbb::task_group group;
          for (std::size_t begin = 0; begin < n; begin += grain)
            group.run([=, this] { run_range(pass, begin, std::min(n, begin + grain)); });
          group.wait();
        });
        break;
      case Way::numa_arenas:
        return run_by_node(pass, grain);
    }
    return grown();
  }

 private:
  // Atomics, added to with release and read with acquire: the thread that runs a piece is TBB's
  // choice, and the synchronisation inside the uninstrumented libtbb is invisible to TSan, so
  // the slots are where the caller visibly takes over what the workers wrote (the prepare
  // pass's pages). On x86 the orders cost no instruction.
  struct alignas(64) Slot {
    std::atomic<std::uint64_t> partial{0};
  };

  // The slots are never zeroed: a job's result is what they grew by (modulo 2^64, exact), so
  // that the caller never writes a line a worker adds to, which would move it to the caller's
  // CPU and back in every job.
  std::uint64_t grown() {
    std::uint64_t total = 0;
    for (const auto& s : slots_) total += s.partial.load(std::memory_order_acquire);
    const std::uint64_t grew = total - slots_total_;
    slots_total_ = total;
    return grew;
  }

  // A parallel_for over the job's items in the arena, with `partitioner`.
  template <typename Partitioner>
  void run_for(Pass pass, std::size_t n, std::size_t grain, Partitioner& partitioner) {
    arena_->execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<std::size_t>(0, n, grain),
          [this, pass](const tbb::blocked_range<std::size_t>& r) {
            run_range(pass, r.begin(), r.end());
          },
          partitioner);
    });
  }

  // `first_slot`: where the slots of the calling thread's arena begin (the node arenas').
  void run_range(Pass pass, std::size_t begin, std::size_t end, std::size_t first_slot = 0) {
    const auto w =
        first_slot + static_cast<std::size_t>(tbb::this_task_arena::current_thread_index());
    slots_[w].partial.fetch_add(work_->apply(pass, static_cast<unsigned>(w), begin, end, 1),
                                std::memory_order_release);
  }

  // One arena per NUMA node, each constrained to its node's CPUs (oneTBB does it through
  // tbbbind and hwloc) with its share of the workers, made at the first job (the prepare pass,
  // outside timing). Without tbbbind oneTBB sees one node of every CPU: one arena.
  void start_node_arenas() {
    const std::vector<tbb::numa_node_id> nodes = tbb_numa_nodes();
    const auto count = static_cast<unsigned>(nodes.size());
    arena_per_node_ = std::max(1u, (workers_ + count - 1) / count);
    const int concurrency = static_cast<int>(arena_per_node_);
    for (tbb::numa_node_id node : nodes) {
      // No slot is kept for the calling thread: the node's workers take all.
      node_arenas_.push_back(node == tbb::task_arena::automatic
                                 ? std::make_unique<tbb::task_arena>(concurrency, 0)
                                 : std::make_unique<tbb::task_arena>(
                                       tbb::task_arena::constraints(node, concurrency), 0));
      node_arenas_.back()->initialize();
    }
    slots_ = std::vector<Slot>(node_arenas_.size() * arena_per_node_ + 1);
    slots_total_ = 0;
  }

  // The job cut into one block per node, each run by its node's arena with the auto
  // partitioner: the block a node's workers make in the prepare pass is the block they read.
  std::uint64_t run_by_node(Pass pass, std::size_t grain) {
    if (node_arenas_.empty()) start_node_arenas();
    const std::size_t n = work_->items();
    const std::size_t parts = node_arenas_.size();
    std::vector<tbb::task_group> groups(parts);
    for (std::size_t i = 0; i < parts; ++i)
      node_arenas_[i]->execute([&, i] {
        groups[i].run([&, i] {
          const Range r = block_range(n, parts, i);
          tbb::parallel_for(
              tbb::blocked_range<std::size_t>(r.begin, r.end, grain),
              [&, i](const tbb::blocked_range<std::size_t>& piece) {
                run_range(pass, piece.begin(), piece.end(), i * arena_per_node_);
              },
              tbb::auto_partitioner());
        });
      });
    for (std::size_t i = 0; i < parts; ++i) node_arenas_[i]->execute([&, i] { groups[i].wait(); });
    return grown();
  }

  // One task per thread of the arena, each taking the next `grain` items from a shared counter
  // until none is left: whichever thread is free takes the next piece, in the items' order, so
  // a list ordered longest first is scheduled as LPT (stealing alone would reorder it).
  void run_from_queue(const Job& job) {
    std::atomic<std::size_t> next{0};
    const int threads = arena_->max_concurrency();
    tbb::parallel_for(
        tbb::blocked_range<int>(0, threads, 1),
        [&](const tbb::blocked_range<int>&) {
          const int w = tbb::this_task_arena::current_thread_index();
          slots_[static_cast<std::size_t>(w)].partial.fetch_add(
              run_share(*work_, job, static_cast<unsigned>(w), static_cast<unsigned>(threads),
                        next),
              std::memory_order_release);
        },
        tbb::simple_partitioner());
  }

  // Makes the arena's workers join before any timing, and counts how many really did: each of
  // `workers` pieces waits until all have started, so they can only all start on that many
  // distinct threads. A piece gives up after a spell in which nobody new arrived (TBB keeps the
  // rest away), not after a fixed time in all: under TSan the arena's third to eighth threads
  // came 0.35 s after the second, and 1.3 s after it with six busy processes on the two CPUs.
  // The count is of distinct threads either way.
  unsigned gather_workers(unsigned workers) {
    using Clock = std::chrono::steady_clock;
    constexpr auto kPatience = std::chrono::seconds(5);
    std::vector<std::atomic<bool>> joined(slots_.size());
    std::atomic<unsigned> arrived{0};
    arena_->execute([&] {
      tbb::parallel_for(
          tbb::blocked_range<unsigned>(0, workers, 1),
          [&](const tbb::blocked_range<unsigned>&) {
            joined[static_cast<std::size_t>(tbb::this_task_arena::current_thread_index())] = true;
            unsigned seen = arrived.fetch_add(1) + 1;
            auto deadline = Clock::now() + kPatience;
            while (seen < workers && Clock::now() < deadline) {
              std::this_thread::yield();  // more workers than CPUs: let the others arrive
              if (const unsigned now_seen = arrived.load(); now_seen != seen) {
                seen = now_seen;
                deadline = Clock::now() + kPatience;
              }
            }
          },
          tbb::simple_partitioner());
    });
    return static_cast<unsigned>(std::count(joined.begin(), joined.end(), true));
  }

  // Pins each thread as it joins the arena, the caller (slot 0) included.
  class PinningObserver final : public tbb::task_scheduler_observer {
   public:
    PinningObserver(tbb::task_arena& arena, Pin pin)
        : tbb::task_scheduler_observer(arena), pin_(pin) {
      observe(true);
    }
    ~PinningObserver() override { observe(false); }
    void on_scheduler_entry(bool) override {
      pin_worker(pin_, static_cast<unsigned>(tbb::this_task_arena::current_thread_index()));
    }

   private:
    Pin pin_;
  };

  Work* work_ = nullptr;
  std::unique_ptr<SavedAffinity> master_affinity_;  // restored last, after the arena is gone
  std::unique_ptr<tbb::global_control> control_;
  std::unique_ptr<tbb::task_arena> arena_;
  std::vector<std::unique_ptr<tbb::task_arena>> node_arenas_;
  unsigned arena_per_node_ = 0;
  unsigned workers_ = 0;
  std::unique_ptr<PinningObserver> observer_;
  tbb::affinity_partitioner affinity_;
  std::vector<Slot> slots_;
  std::uint64_t slots_total_ = 0;  // what they added up to after the last job
};

}  // namespace

// The oneTBB library really loaded, and its version.
static nlohmann::json tbb_runtime() {
  // [-1] when oneTBB could not load tbbbind (libtbbbind-2-5), or a sanitized build did not ask.
  const std::vector<tbb::numa_node_id> nodes = tbb_numa_nodes();
  return {{"version", TBB_runtime_version()},
          {"interface_version", TBB_runtime_interface_version()},
          {"runtime", shared_object_of(reinterpret_cast<void*>(&TBB_runtime_version))},
          {"numa_nodes", nodes},
          {"sees_numa_nodes", !(nodes.size() == 1 && nodes.front() == -1)},
          {"numa_asked", kMayLoadTbbbind}};
}

// An arena's execute with a parallel_for of one piece per worker that counts itself, with
// parallel_for's default partitioner (auto), which the dispatch's policy (auto) also uses: the
// floor is the same runtime call without parbench around it.
static DispatchFloor tbb_floor() {
  DispatchFloor floor;
  floor.launch = "arena";
  floor.what = "task_arena::execute(parallel_for(P items)), its default (auto) partitioner";
  floor.start = [](unsigned workers) {
    check_threads_can_be_created(workers - 1);
    auto control = std::make_shared<tbb::global_control>(
        tbb::global_control::max_allowed_parallelism, workers + 1);  // as the backend's
    auto arena = std::make_shared<tbb::task_arena>(static_cast<int>(workers));
    arena->initialize();
    return std::function<std::uint64_t()>([control, arena, workers]() -> std::uint64_t {
      std::atomic<std::uint64_t> count{0};
      arena->execute([&] {
        tbb::parallel_for(tbb::blocked_range<unsigned>(0, workers, 1),
                          [&](const tbb::blocked_range<unsigned>& r) {
                            count.fetch_add(r.size(), std::memory_order_relaxed);
                          });
      });
      return count.load(std::memory_order_relaxed);
    });
  };
  return floor;
}

BackendInfo tbb_backend_info() {
  auto policy = [](const char* name, Split split, bool takes_grain, Way how,
                   bool longest_first = false) {
    return PolicyName{name, split, takes_grain, longest_first, how};
  };
  return {.name = "tbb",
          .launches = {"arena"},
          .sum_policies = {policy("auto", Split::stealing, false, Way::auto_partitioner),
                           policy("simple", Split::stealing, true, Way::simple_partitioner),
                           policy("static", Split::block, false, Way::static_partitioner),
                           policy("affinity", Split::stealing, false, Way::affinity_partitioner),
                           // A block per NUMA node, each stolen within its node's arena.
                           policy("numa", Split::stealing, true, Way::numa_arenas)},
          // lpt: the arena's threads take the tasks longest first from one counter, so that the
          // order is LPT's (stealing would reorder it).
          .task_policies = {policy("auto", Split::stealing, false, Way::auto_partitioner),
                            policy("simple", Split::stealing, true, Way::simple_partitioner),
                            policy("task_group", Split::stealing, true, Way::task_group),
                            policy("lpt", Split::dynamic, false, Way::queue, true)},
          .create = [](const std::string&) -> std::unique_ptr<Backend> {
            return std::make_unique<TbbBackend>();
          },
          .reference = false,
          .reports_children_cpu = false,
          .timed_starts = {"arena"},
          .workers_per_job = {},
          .launch_probes = nullptr,
          .runtime = tbb_runtime,
          .dispatch_floor = tbb_floor(),
          .sum_params = nullptr,
          .launcher = std::nullopt,
          .calibrates = "",
          // oneTBB keeps its workers for the whole process: none may still run, or hold its
          // memory, when the process exits.
          .end_workers =
              [] {
                tbb::task_scheduler_handle handle{tbb::attach{}};
                return tbb::finalize(handle, std::nothrow);
              }};
}

}  // namespace parbench
