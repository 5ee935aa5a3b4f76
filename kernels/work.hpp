#pragma once
// The one seam between kernels and backends. A kernel says what is computed on a piece of a
// job; a backend decides which pieces each worker gets. Neither knows the other's details.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "platform/mapping.hpp"

namespace parbench {

class Work {
 public:
  virtual ~Work() = default;

  // The CPU each of the first `workers` workers was last seen on (-1: never ran): the
  // placement a run obtained, whether the OS or --pin decided it.
  std::vector<int> cpus_seen(unsigned workers) const;

  // Items in the job; a job's pieces are subsets of [0, items()).
  virtual std::size_t items() const = 0;

  // Processes items begin, begin + stride, ... (below end) on behalf of `worker` and returns a
  // partial result that the backend adds up. stride 1 is a contiguous piece; stride P from
  // begin = w is the cyclic split data[w::P]. Must be safe to call from any thread or from a
  // forked child; anything it records must live in memory the parent can read (see SharedArray).
  virtual std::uint64_t run(unsigned worker, std::size_t begin, std::size_t end,
                            std::size_t stride) const = 0;

 protected:
  Work();
  // Kernels call this once per piece: cheap (sched_getcpu is a vDSO read).
  void saw(unsigned worker) const;

 private:
  static constexpr unsigned kTrackedWorkers = 1024;
  SharedArray<std::atomic<int>> last_cpu_;  // shared: forked workers report here too
};

// How a backend hands the pieces of a job to its workers. Which splits a backend offers, and
// under which names, is the backend's business (see backends/backend.hpp).
enum class Split {
  block,         // one contiguous block per worker
  cyclic,        // worker w takes items w, w + P, ...
  dynamic,       // workers pull pieces of `grain` items from a shared counter
  guided,        // OpenMP guided: shrinking pieces, never below `grain`
  tbb_auto,      // tbb::auto_partitioner
  tbb_simple,    // tbb::simple_partitioner with `grain`
  tbb_static,    // tbb::static_partitioner
  tbb_affinity,  // tbb::affinity_partitioner, kept across the jobs of a benchmark
  task_group,    // one task per piece of `grain` items spawned from the caller (TBB task_group)
  omp_tasks,     // one OpenMP task per piece of `grain` items, spawned by one thread
};

// "block", "tbb_auto", ...: the enumerator's name, for the report.
const char* to_string(Split split);

struct Policy {
  std::string name;  // as the user wrote it and the report shows it, e.g. "dynamic:65536"
  Split split = Split::block;
  std::size_t grain = 1;  // items per piece, for the splits that use it
  // Tasks are handed out longest first (LPT); the kernel orders its items, the split is as above.
  bool longest_first = false;
};

}  // namespace parbench
