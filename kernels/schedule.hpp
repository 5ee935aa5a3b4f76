#pragma once
// The schedule model: what a policy should give on ideal workers (no dispatch cost). With
// fewer CPUs than workers, as for spinning tasks past the core count, the workers share the
// CPUs fairly (processor sharing): while k workers are busy each advances at min(1, cpus/k).
// Pure functions, no threading; the benchmarks hold measured makespans against them.
#include <cstddef>
#include <string>
#include <vector>

#include "kernels/partition.hpp"

namespace parbench {

enum class Discipline {
  block,     // contiguous blocks of tasks, one per worker, in list order
  cyclic,    // task i to worker i % P
  queue,     // greedy list scheduling: a free worker takes the next task in list order
  lpt,       // greedy list scheduling over the tasks sorted longest first
  guided,    // OpenMP guided: a free worker takes ceil(remaining / P) tasks, at least one
  stealing,  // work stealing / runtime tasks: no fixed order; a range, not one schedule
};

// The discipline a generic split follows; longest_first: the items are handed out longest first.
Discipline discipline_of(Split split, bool longest_first);

struct Prediction {
  double makespan = 0;           // predicted (for stealing: the greedy list schedule)
  double upper = 0;              // a guaranteed bound for stealing (Graham), else makespan
  double lower_bound = 0;        // max(sum / P, longest): no schedule does better
  std::vector<unsigned> worker;  // per task, as predicted
  std::vector<double> start;     // per task, as predicted
  std::string method;            // how the prediction was made, in words
};

double lower_bound(const std::vector<double>& durations, unsigned workers);

// Durations in any unit; the prediction comes in the same unit. workers >= 1; cpus 0 means one
// CPU per worker. lower_bound then uses min(workers, cpus).
Prediction predict(const std::vector<double>& durations, unsigned workers, Discipline d,
                   unsigned cpus = 0);

// Two jobs at once (the corun kernel): A and B start together, each a task set with its own
// workers and discipline, on one machine of `cpus` CPUs. The model is the one above, processor
// sharing, with the sharing the jobs' sizing allows: `shared` (greedy sizing) has every busy
// worker of both jobs share all the CPUs, so that when A ends B's workers get what A freed;
// otherwise (partitioned, pinned) each job's busy workers share its own CPUs only, and what A
// frees stays idle. Tasks that do not use a CPU (sleep) advance at full speed whatever the
// sharing (`uses_cpu` false).
struct CorunJob {
  std::vector<double> durations;  // in any unit: the prediction comes in the same unit
  unsigned workers = 1;
  Discipline discipline = Discipline::queue;
  unsigned cpus = 1;  // its own CPUs, where they are not shared
};

struct CorunPrediction {
  double a_end = 0;          // when A's last task ends
  double b_end = 0;          // when B's last task ends
  double b_rate_during = 0;  // B's work per unit of time while A runs
  double b_rate_after = 0;   // ... after A ended (0 when B ended first)
  double b_rate_alone = 0;   // B's work per unit of time alone on the same sizing
  std::string method;        // how, in words
};

// Throws std::invalid_argument for a job without workers, or without CPUs where they count.
CorunPrediction predict_corun(const CorunJob& a, const CorunJob& b, unsigned cpus, bool shared,
                              bool uses_cpu);

// Task indices longest first; equal durations keep list order (a stable sort).
std::vector<std::size_t> longest_first(const std::vector<double>& durations);

}  // namespace parbench
