#pragma once
// Progress of a run on stderr: which benchmark of how many, time spent, time left. Time left
// weighs the benchmarks left by their expected seconds (the dry run's model), scaled by how
// the benchmarks done so far compared with theirs, the more the further the run is; without
// expectations, by the mean so far.
// On a terminal one line that updates in place; in a log, plain lines.
#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace parbench {

class Progress {
 public:
  Progress(std::size_t total, bool terminal);
  // The expected seconds of each benchmark to run, by name, and the repetitions the fewest of
  // them take.
  void expect(std::map<std::string, double> seconds, unsigned fewest_repetitions = 1);
  // Call before anything else is printed, so that an updating line never mixes with it.
  void clear_line();
  // One repetition of a benchmark not finished yet: the rounds interleave a group's members, so
  // none of them may finish for a long while, and time left counts each one's share done.
  void repeated(const std::string& name, unsigned repetitions);
  // One benchmark finished (with its repetitions).
  void finished(const std::string& name);
  void end();

 private:
  double seconds_left() const;

  std::size_t total_;
  std::size_t done_ = 0;
  std::map<std::string, double> expected_;
  std::map<std::string, double> partly_done_;  // expected seconds of unfinished ones' repetitions
  unsigned fewest_repetitions_ = 1;
  double expected_done_ = 0, expected_total_ = 0;
  bool terminal_;
  bool line_shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// "1:05" or "1:02:03".
std::string format_duration(double seconds);

// The registered names Google Benchmark's --benchmark_filter selects ("" or "all": all; a
// leading '-' negates, as in Google Benchmark).
std::vector<std::string> selected_names(const std::vector<std::string>& names,
                                        const std::string& filter);
inline std::size_t count_selected(const std::vector<std::string>& names,
                                  const std::string& filter) {
  return selected_names(names, filter).size();
}

}  // namespace parbench
