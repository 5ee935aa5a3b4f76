#include "kernels/corun.hpp"

#include <algorithm>

namespace parbench {

double work_rate(const std::vector<TaskSpan>& tasks, double from, double to) {
  if (!(to > from)) return 0;
  double work = 0;
  for (const TaskSpan& t : tasks) {
    // A task of no length (a clock that did not move) counts whole where it falls.
    if (!(t.end > t.start)) {
      if (t.start >= from && t.start < to) work += t.work;
      continue;
    }
    const double inside = std::min(t.end, to) - std::max(t.start, from);
    if (inside > 0) work += t.work * inside / (t.end - t.start);
  }
  return work / (to - from);
}

double end_of(const std::vector<TaskSpan>& tasks) {
  double end = 0;
  for (const TaskSpan& t : tasks) end = std::max(end, t.end);
  return end;
}

const char* to_string(Ramp ramp) {
  switch (ramp) {
    case Ramp::reached:
      return "reached";
    case Ramp::never:
      return "never";
    case Ramp::tail_too_short:
      return "tail_too_short";
    case Ramp::b_ended_first:
      return "b_ended_first";
    case Ramp::no_baseline:
      break;
  }
  return "no_baseline";
}

namespace {

double median_span(const std::vector<TaskSpan>& tasks) {
  std::vector<double> spans;
  for (const TaskSpan& t : tasks) spans.push_back(t.end - t.start);
  if (spans.empty()) return 0;
  std::nth_element(spans.begin(), spans.begin() + spans.size() / 2, spans.end());
  return spans[spans.size() / 2];
}

// The first window of `width` inside [from, to], starting at `from` or at a task's start or
// end, whose rate reaches `target`: its start less `from`.
std::optional<double> first_window_reaching(const std::vector<TaskSpan>& tasks, double from,
                                            double to, double width, double target) {
  std::vector<double> starts = {from};
  for (const TaskSpan& t : tasks)
    for (const double edge : {t.start, t.end})
      if (edge > from && edge + width <= to) starts.push_back(edge);
  std::sort(starts.begin(), starts.end());
  for (const double start : starts)
    if (start + width <= to && work_rate(tasks, start, start + width) >= target)
      return start - from;
  return std::nullopt;
}

}  // namespace

CorunRates corun_rates(const std::vector<TaskSpan>& a, const std::vector<TaskSpan>& b,
                       double b_rate_alone) {
  CorunRates r;
  r.a_end = end_of(a);
  r.b_end = end_of(b);
  r.b_rate_during = work_rate(b, 0, r.a_end);
  if (r.b_end <= r.a_end) return r;
  r.b_rate_after = work_rate(b, r.a_end, r.b_end);
  const double width = median_span(b);
  if (!(b_rate_alone > 0)) {
    r.ramp = Ramp::no_baseline;
  } else if (!(width > 0) || r.a_end + width > r.b_end) {
    r.ramp = Ramp::tail_too_short;
  } else {
    r.ramp_seconds =
        first_window_reaching(b, r.a_end, r.b_end, width, kRampFraction * b_rate_alone);
    r.ramp = r.ramp_seconds ? Ramp::reached : Ramp::never;
  }
  return r;
}

}  // namespace parbench
