#pragma once
// How the repetitions of each benchmark are decided (engine/rounds.hpp): the engine's settings.
#include <cstdint>

namespace parbench {

// How the repetitions of each benchmark are decided.
struct Measurement {
  unsigned repetitions = 0;      // exactly this many; 0: until the target is met (adaptive)
  unsigned min_repetitions = 6;  // the fewest with a 95% interval of the median
  unsigned max_repetitions = 40;
  double target = 0.02;  // the interval's half-width, relative to the median
  double confidence = 0.95;
  double benchmark_budget = 1;  // seconds one benchmark may take beyond its fewest repetitions
  double run_budget = 0;        // seconds the run may take before only the fewest run; 0: none
  bool interleave = true;       // a group's repetitions in rounds, else one benchmark at a time
  std::uint64_t seed = 0;       // of the order within each round
};

}  // namespace parbench
