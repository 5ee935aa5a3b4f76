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

// Task indices longest first; equal durations keep list order (a stable sort).
std::vector<std::size_t> longest_first(const std::vector<double>& durations);

}  // namespace parbench
