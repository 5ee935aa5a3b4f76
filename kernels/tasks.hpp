#pragma once
// Uneven work: a task set is a list of durations; a task body either sleeps for its duration
// (gives the CPU away, like I/O) or spins for it (burns its thread's CPU time, like computing).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernels/work.hpp"
#include "platform/mapping.hpp"

namespace parbench {

struct TaskSet {
  std::string spec;               // as asked: "seed", "uniform:16:7", "2,4,6,8"
  std::vector<double> durations;  // in units
};

// seed | equal:N | uniform:N[:SEED] | increasing:N | straggler:N | heavy:N[:SEED] | d1,d2,...
// Generated sets are the same on every machine for the same seed. Throws std::invalid_argument.
TaskSet parse_task_set(const std::string& spec);

// "10ms", "500us", "1s", "0.5ms", "2000ns" -> seconds. Throws std::invalid_argument.
double parse_unit(const std::string& text);

// The longest serial run a task set may ask for: a typo must not start an hour-long benchmark.
inline constexpr double kMaxSerialSeconds = 60;
inline constexpr std::size_t kMaxTasks = 100'000;
// Throws std::invalid_argument when the set at this unit is beyond the limits above.
void check_task_set(const TaskSet& set, double unit_seconds);

enum class TaskBody { sleep, spin };
const char* to_string(TaskBody body);

// Seconds on CLOCK_MONOTONIC: one clock for every thread and process, so that timelines
// recorded by forked workers line up with the parent's.
double monotonic_seconds();

// Runs `seconds` of the body: sleep blocks (absolute deadline, no drift); spin computes until
// the calling thread's CPU clock has advanced that much. Returns a value the caller must keep.
std::uint64_t run_task_body(TaskBody body, double seconds);

// What one task did in a job, written by whichever worker ran it (in shared memory).
struct TaskRecord {
  std::atomic<std::uint64_t> job{0};  // last job that ran it; a second run in a job is caught
  std::int32_t worker = -1;
  double start = 0;  // seconds from the job's start
  double end = 0;
};

struct KernelSpec;

// The tasks of one set as a Work: item i is the i-th task of `order` (list order, or longest
// first for LPT). Call begin_job() before each job and check_job() after it.
class TaskWork final : public Work {
 public:
  TaskWork(const TaskSet& set, double unit_seconds, TaskBody body, std::vector<std::size_t> order);
  // The tasks of a spec (kernel sleep or spin); throws std::invalid_argument for a bad set.
  explicit TaskWork(const KernelSpec& spec);

  std::size_t items() const override { return order_.size(); }
  std::uint64_t run(unsigned worker, std::size_t begin, std::size_t end,
                    std::size_t stride) const override;
  bool describe(KernelSpec& spec) const override;

  void begin_job();
  // When the current job began, on CLOCK_MONOTONIC.
  double job_start() const { return clock_[0].start; }
  // Records a task of the current job that a worker sharing no memory with this work ran (an
  // MPI rank), as run() would have: start and end in seconds from job_start().
  void record_ran_elsewhere(std::size_t task, unsigned worker, double start, double end);
  // What went wrong in this job: a task that did not run, ran twice, or ended before its
  // duration; nothing when every task ran exactly once for its whole duration.
  std::optional<std::string> check_job() const;

  double seconds(std::size_t task) const { return durations_[task] * unit_; }
  const std::vector<double>& durations() const { return durations_; }
  const TaskRecord& record(std::size_t task) const { return records_[task]; }

 private:
  struct alignas(64) JobClock {
    std::uint64_t job = 0;
    double start = 0;
    std::atomic<std::uint64_t> duplicates{0};
  };

  std::string spec_text_;  // the set as asked, "" when not known
  std::vector<double> durations_;
  double unit_;
  TaskBody body_;
  std::vector<std::size_t> order_;
  SharedArray<TaskRecord> records_;
  SharedArray<JobClock> clock_;  // one element, shared with forked workers
};

}  // namespace parbench
