// The corun kernel's reading of two timelines: rates during and after A, and the ramp.
#include "kernels/corun.hpp"

#include <gtest/gtest.h>

namespace parbench {
namespace {

// `workers` workers each running `per_worker` tasks of `work` back to back from `from`, each
// task spanning `span` seconds (span > work: the task shared its CPU).
std::vector<TaskSpan> back_to_back(unsigned workers, int per_worker, double from, double span,
                                   double work) {
  std::vector<TaskSpan> tasks;
  for (unsigned w = 0; w < workers; ++w)
    for (int i = 0; i < per_worker; ++i)
      tasks.push_back({from + i * span, from + (i + 1) * span, work});
  return tasks;
}

TEST(WorkRate, CountsTheShareOfEachTaskInside) {
  const std::vector<TaskSpan> one = {{0, 2, 1}};  // 1 s of work spread over 2 s
  EXPECT_DOUBLE_EQ(work_rate(one, 0, 2), 0.5);
  EXPECT_DOUBLE_EQ(work_rate(one, 1, 2), 0.5);
  EXPECT_DOUBLE_EQ(work_rate(one, 2, 3), 0);
  EXPECT_DOUBLE_EQ(work_rate(one, 1, 1), 0);  // an empty window
  EXPECT_DOUBLE_EQ(work_rate({}, 0, 1), 0);
  const std::vector<TaskSpan> instant = {{1, 1, 0.5}};  // a clock that did not move
  EXPECT_DOUBLE_EQ(work_rate(instant, 0, 2), 0.25);
  EXPECT_DOUBLE_EQ(work_rate(instant, 1.5, 2), 0);
}

TEST(CorunRates, BGainsWhenItsWorkersGetTheFreedCpus) {
  // A: 2 workers, 16 tasks each at half speed (1 ms of work over 2 ms), ends at 32 ms. B: 2
  // workers, 16 tasks each at half speed then 16 at full speed.
  const std::vector<TaskSpan> a = back_to_back(2, 16, 0, 2e-3, 1e-3);
  std::vector<TaskSpan> b = back_to_back(2, 16, 0, 2e-3, 1e-3);
  for (const TaskSpan& t : back_to_back(2, 16, 32e-3, 1e-3, 1e-3)) b.push_back(t);
  const CorunRates r = corun_rates(a, b, 2.0);
  EXPECT_NEAR(r.a_end, 32e-3, 1e-12);
  EXPECT_NEAR(r.b_end, 48e-3, 1e-12);
  EXPECT_NEAR(r.b_rate_during, 1.0, 1e-9);
  ASSERT_TRUE(r.b_rate_after);
  EXPECT_NEAR(*r.b_rate_after, 2.0, 1e-9);
  EXPECT_EQ(r.ramp, Ramp::reached);
  ASSERT_TRUE(r.ramp_seconds);
  EXPECT_NEAR(*r.ramp_seconds, 0, 1e-12);  // at full speed from A's end on
}

TEST(CorunRates, TheRampIsWhenBFirstReachesNinetyPercentOfAlone) {
  // After A's end at 10 ms, B idles 3 ms (its workers asleep), then runs at its rate alone.
  const std::vector<TaskSpan> a = {{0, 10e-3, 10e-3}};
  std::vector<TaskSpan> b = back_to_back(1, 10, 0, 1e-3, 1e-3);
  for (const TaskSpan& t : back_to_back(1, 10, 13e-3, 1e-3, 1e-3)) b.push_back(t);
  const CorunRates r = corun_rates(a, b, 1.0);
  ASSERT_TRUE(r.ramp_seconds);
  EXPECT_NEAR(*r.ramp_seconds, 3e-3, 1e-12);
}

TEST(CorunRates, NoRampWhenBNeverReachesItsRateAlone) {
  // Partitioned: B keeps its one worker of two CPUs; alone on two it would do 2.
  const std::vector<TaskSpan> a = back_to_back(1, 10, 0, 1e-3, 1e-3);
  const std::vector<TaskSpan> b = back_to_back(1, 20, 0, 1e-3, 1e-3);
  const CorunRates r = corun_rates(a, b, 2.0);
  ASSERT_TRUE(r.b_rate_after);
  EXPECT_NEAR(*r.b_rate_after, 1.0, 1e-9);
  EXPECT_EQ(r.ramp, Ramp::never);
  EXPECT_FALSE(r.ramp_seconds);
}

TEST(CorunRates, ATailShorterThanATaskCannotTellTheRamp) {
  // B's last task ends half a task after A's end: no window of one task fits after A's end.
  const std::vector<TaskSpan> a = {{0, 10.5e-3, 10e-3}};
  const std::vector<TaskSpan> b = back_to_back(1, 11, 0, 1e-3, 1e-3);
  const CorunRates r = corun_rates(a, b, 1.0);
  EXPECT_EQ(r.ramp, Ramp::tail_too_short);
  EXPECT_FALSE(r.ramp_seconds);
  EXPECT_EQ(corun_rates(a, b, 0.0).ramp, Ramp::no_baseline);
}

TEST(CorunRates, BEndingFirstHasNothingAfter) {
  const CorunRates r =
      corun_rates(back_to_back(1, 10, 0, 1e-3, 1e-3), back_to_back(1, 5, 0, 1e-3, 1e-3), 1.0);
  EXPECT_FALSE(r.b_rate_after);
  EXPECT_EQ(r.ramp, Ramp::b_ended_first);
  EXPECT_FALSE(r.ramp_seconds);
}

}  // namespace
}  // namespace parbench
