#pragma once
// Two jobs at once (the corun kernel): A and B start together on one machine, each run by its
// own instance of a backend. What the question "when A finishes, does B get its cores?" needs
// from the two jobs' task timelines: when A ended, B's rate of work while both ran and after,
// and how long after A's end B took to reach its rate alone (the ramp). Pure functions over
// timelines; the model of the same (predict_corun) is in schedule.hpp. The suite that runs two
// jobs at once and calls these is still to come (issue 23).
#include <optional>
#include <vector>

namespace parbench {

// One task as its job's timeline recorded it: seconds from the common start of both jobs, and
// the work it stood for (its nominal duration: CPU seconds for spin, wall seconds for sleep),
// which a task that shared its CPU spread over a longer span.
struct TaskSpan {
  double start = 0;
  double end = 0;
  double work = 0;
};

// Work done per second of wall time over [from, to]: each task's work counted in proportion
// to the part of its span inside.
double work_rate(const std::vector<TaskSpan>& tasks, double from, double to);

// The last end of a job's tasks (0 for none).
double end_of(const std::vector<TaskSpan>& tasks);

// The fraction of B's rate alone that B must reach for the ramp to end.
inline constexpr double kRampFraction = 0.9;

// Whether the ramp could be told: B reached kRampFraction of its rate alone after A's end; it
// never did; what B did after A's end was shorter than one of its tasks (no window fits); B
// ended first; no rate alone to hold it against.
enum class Ramp { reached, never, tail_too_short, b_ended_first, no_baseline };
const char* to_string(Ramp ramp);

struct CorunRates {
  double a_end = 0;
  double b_end = 0;
  double b_rate_during = 0;            // over [0, a_end]
  std::optional<double> b_rate_after;  // over [a_end, b_end]; none when B ended first
  // Seconds from A's end until a window of one of B's tasks (the median span) first holds
  // kRampFraction of `b_rate_alone`; only when `ramp` is reached.
  std::optional<double> ramp_seconds;
  Ramp ramp = Ramp::b_ended_first;
};

// `a`, `b`: both jobs' tasks on one clock; `b_rate_alone`: B's rate when it ran alone on the
// same sizing (work_rate over its own run).
CorunRates corun_rates(const std::vector<TaskSpan>& a, const std::vector<TaskSpan>& b,
                       double b_rate_alone);

}  // namespace parbench
