#pragma once
// The one seam between kernels and backends. A kernel says what is computed on a piece of a
// job, and how a piece's data is made; a backend decides which pieces each worker gets.
// Neither knows the other's details.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "platform/mapping.hpp"

namespace parbench {

struct KernelSpec;

// What a job does with each piece: make its data (the first touch, which on a NUMA machine
// places the piece's pages on the node of the worker that writes them) or compute it.
enum class Pass { prepare, compute };

class Work {
 public:
  virtual ~Work() = default;

  // The CPU each of the first `workers` workers was last seen on (-1: never ran): the
  // placement a run obtained, whether the OS or --pin decided it.
  std::vector<int> cpus_seen(unsigned workers) const;
  // Worker `worker` was last seen on `cpu` where this process could not see it (an MPI rank,
  // which reports it with the job's end).
  void record_cpu_seen(unsigned worker, int cpu);
  // Back to "never ran", for a work that another backend's workers read next.
  void forget_cpus_seen();

  // Items in the job; a job's pieces are subsets of [0, items()).
  virtual std::size_t items() const = 0;

  // Processes items begin, begin + stride, ... (below end) on behalf of `worker` and returns a
  // partial result that the backend adds up. stride 1 is a contiguous piece; stride P from
  // begin = w is the cyclic split data[w::P]. Must be safe to call from any thread or from a
  // forked child; anything it records must live in memory the parent can read (see SharedArray).
  virtual std::uint64_t run(unsigned worker, std::size_t begin, std::size_t end,
                            std::size_t stride) const = 0;

  // Fills `spec` with what makes this work anew in a process that shares no memory with this
  // one (an MPI rank on another host): false for a work that no spec describes (a test's).
  virtual bool describe(KernelSpec& /*spec*/) const { return false; }

  // Whether the items have data to make before the first job. Work without (tasks, the empty
  // job) skips the prepare pass.
  virtual bool has_data() const { return false; }
  // Whether a forked worker's writes to that data reach the caller and the other workers: false
  // for data in private (copy-on-write) pages.
  virtual bool data_shared_across_fork() const { return true; }

  // One call for both passes, so that a backend hands out the pieces of each the same way.
  // The prepare pass returns the number of items made, which adds up to items().
  std::uint64_t apply(Pass pass, unsigned worker, std::size_t begin, std::size_t end,
                      std::size_t stride);

  // Makes every item's data on the calling thread.
  void prepare_serially();
  // Who made the data, once it is made (by a backend's prepare pass, or serially).
  enum class Made { not_yet, serially, by_workers };
  Made made() const { return made_; }
  // Wall seconds it took to make.
  double made_seconds() const { return made_seconds_; }
  void mark_made_by_workers(double seconds) {
    made_ = Made::by_workers;
    made_seconds_ = seconds;
  }

 protected:
  Work();
  // Kernels call this once per piece: cheap (sched_getcpu is a vDSO read).
  void saw(unsigned worker) const;
  // Makes the data of items begin, begin + stride, ... on behalf of `worker`.
  virtual void prepare(unsigned /*worker*/, std::size_t /*begin*/, std::size_t /*end*/,
                       std::size_t /*stride*/) {}

 private:
  static constexpr unsigned kTrackedWorkers = 1024;
  SharedArray<std::atomic<int>> last_cpu_;  // shared: forked workers report here too
  Made made_ = Made::not_yet;
  double made_seconds_ = 0;
};

}  // namespace parbench
