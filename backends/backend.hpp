#pragma once
// One interface for every backend: how the pieces of a job reach workers. A backend is made
// for one (launch) mode, started once for one piece of work outside any timing, then runs that
// work as many times as the harness asks. Adding a backend: one file implementing Backend and
// one line in the registry (backends/backend.cpp).
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/work.hpp"
#include "platform/placement.hpp"

namespace parbench {

// A worker died or could not be started; the job's result is lost. The harness turns it into
// the benchmark's error; the backend has already cleaned up (no thread, child or mapping left).
class WorkerFailure : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class KernelKind { sum, tasks };

class Backend {
 public:
  virtual ~Backend() = default;

  // Creates the workers (pool, arena, team) for `work` and warms them up. Returns how many
  // workers the backend really has, which may be fewer than asked. A fork pool's children are
  // forked here and see memory as it is now: `work` and its data must exist already.
  virtual unsigned start(const Work& work, unsigned workers) = 0;

  // One job: every item of the work handed to the workers as `policy` says; returns the sum of
  // the workers' partial results. This is what is timed.
  virtual std::uint64_t run(const Policy& policy) = 0;

  // Where workers run: none leaves it to the OS; otherwise worker w is pinned to
  // cpu_for_worker(pin, w). Set before start().
  void set_pin(Pin pin) { pin_ = pin; }

  // CPU seconds used so far by worker processes (fork only: Google Benchmark counts the parent).
  virtual double children_cpu_seconds() const { return 0.0; }

 protected:
  Pin pin_ = Pin::none;
};

struct PolicyName {
  std::string name;  // what the user types, without a grain: "dynamic", "static1", "auto"
  Split split;
  bool takes_grain;            // "dynamic:4096" is accepted
  bool longest_first = false;  // the kernel hands out its tasks longest first (LPT)
};

// Everything the rest of parbench may know of a backend: nothing outside backends/ asks for a
// backend by name. The report carries these facts (context "backends").
struct BackendInfo {
  std::string name;                   // "thread"
  std::vector<std::string> launches;  // "spawn", "pool"; one entry for backends with one way
  std::vector<PolicyName> sum_policies;
  std::vector<PolicyName> task_policies;
  std::function<std::unique_ptr<Backend>(const std::string& launch)> make;
  // The reference every speedup is against: the calling thread alone, one worker, one policy.
  bool reference = false;
  // Its workers are processes, whose CPU time is not the parent's: reported apart.
  bool reports_children_cpu = false;
  // Launches whose start() makes new workers every time, so that starting them is measured on
  // its own; a runtime that keeps one team for the whole process has none.
  std::vector<std::string> timed_starts;
};

// Every backend compiled in, in the order the report lists them.
const std::vector<BackendInfo>& backends();
const BackendInfo* find_backend(const std::string& name);
// Whether the backend of that name is the reference (false for an unknown name).
bool is_reference_backend(const std::string& name);

// Parses "dynamic", "dynamic:4096" or "dynamic(4096)" against a backend's policies.
// `default_grain` fills in a missing grain. Throws std::invalid_argument with a clear message.
Policy parse_policy(const BackendInfo& backend, KernelKind kernel, const std::string& text,
                    std::size_t default_grain);

// Backend factories, one per file.
std::unique_ptr<Backend> make_serial_backend(const std::string& launch);
std::unique_ptr<Backend> make_thread_backend(const std::string& launch);
std::unique_ptr<Backend> make_fork_backend(const std::string& launch);
std::unique_ptr<Backend> make_openmp_backend(const std::string& launch);
std::unique_ptr<Backend> make_tbb_backend(const std::string& launch);

// oneTBB keeps its worker threads for the whole process, past the end of every backend. This
// waits for them to end, so that none still runs, or holds TBB's memory, when the process
// exits. Call it last, when no backend is alive; false if oneTBB refused (one still was).
bool end_runtime_workers();

}  // namespace parbench
