#include <gtest/gtest.h>

#include "kernels/schedule.hpp"

namespace parbench {
namespace {

const std::vector<double> kSeed = {2, 4, 6, 8, 1, 3, 5, 7};

TEST(ScheduleModel, SeedSetOnFourWorkers) {
  EXPECT_DOUBLE_EQ(predict(kSeed, 4, Discipline::block).makespan, 14);
  EXPECT_DOUBLE_EQ(predict(kSeed, 4, Discipline::cyclic).makespan, 15);
  EXPECT_DOUBLE_EQ(predict(kSeed, 4, Discipline::queue).makespan, 13);
  EXPECT_DOUBLE_EQ(predict(kSeed, 4, Discipline::lpt).makespan, 9);
  EXPECT_DOUBLE_EQ(lower_bound(kSeed, 4), 9);
  EXPECT_DOUBLE_EQ(predict(kSeed, 4, Discipline::queue).lower_bound, 9);
}

TEST(ScheduleModel, QueueAssignmentIsTheGreedyOne) {
  const Prediction p = predict(kSeed, 4, Discipline::queue);
  // Tasks 2,4,6,8 start at once; 1 goes to worker 0 at 2, then 3 at 3; 5 to worker 1 at 4;
  // 7 to worker 0 at 6 (tied with worker 2: the first free in index order takes it).
  EXPECT_EQ(p.worker, (std::vector<unsigned>{0, 1, 2, 3, 0, 0, 1, 0}));
  EXPECT_EQ(p.start, (std::vector<double>{0, 0, 0, 0, 2, 3, 4, 6}));
}

TEST(ScheduleModel, StealingGivesARangeAroundTheGreedySchedule) {
  const Prediction p = predict(kSeed, 4, Discipline::stealing);
  EXPECT_DOUBLE_EQ(p.lower_bound, 9);
  EXPECT_DOUBLE_EQ(p.makespan, 13);
  EXPECT_DOUBLE_EQ(p.upper, 36.0 / 4 + 0.75 * 8);  // Graham: sum/P + (1 - 1/P) longest
  EXPECT_FALSE(p.method.empty());
}

TEST(ScheduleModel, GuidedTakesShrinkingChunks) {
  // 8 tasks on 4: chunks of 2, 2, 1, 1, 1, 1 in order.
  EXPECT_DOUBLE_EQ(predict(kSeed, 4, Discipline::guided).makespan, 14);
}

TEST(ScheduleModel, OneWorkerRunsEverythingInSequence) {
  for (auto d : {Discipline::block, Discipline::cyclic, Discipline::queue, Discipline::lpt,
                 Discipline::guided, Discipline::stealing})
    EXPECT_DOUBLE_EQ(predict(kSeed, 1, d).makespan, 36);
}

TEST(ScheduleModel, AtLeastAsManyWorkersAsTasksGivesTheLongest) {
  for (unsigned p : {8u, 9u, 64u})
    for (auto d : {Discipline::block, Discipline::cyclic, Discipline::queue, Discipline::lpt,
                   Discipline::guided})
      EXPECT_DOUBLE_EQ(predict(kSeed, p, d).makespan, 8) << p;
}

TEST(ScheduleModel, EmptySetTakesNoTime) {
  for (auto d : {Discipline::block, Discipline::cyclic, Discipline::queue, Discipline::lpt,
                 Discipline::guided, Discipline::stealing}) {
    const Prediction p = predict({}, 4, d);
    EXPECT_DOUBLE_EQ(p.makespan, 0);
    EXPECT_DOUBLE_EQ(p.lower_bound, 0);
  }
}

TEST(ScheduleModel, WorkersShareTooFewCpusFairly) {
  // Two equal tasks, two workers, one CPU: both advance at half speed and end together.
  EXPECT_DOUBLE_EQ(predict({1, 1}, 2, Discipline::block, 1).makespan, 2);
  // 2 and 4 on two workers, one CPU: both at half speed until the 2 is done at t = 4; the 4
  // then has 2 left at full speed: t = 6, all the work on one CPU.
  EXPECT_DOUBLE_EQ(predict({2, 4}, 2, Discipline::block, 1).makespan, 6);
  // Seed on 4 workers, 2 CPUs: no schedule beats 36/2 = 18, and lpt keeps both CPUs busy.
  const Prediction lpt = predict(kSeed, 4, Discipline::lpt, 2);
  EXPECT_DOUBLE_EQ(lpt.lower_bound, 18);
  EXPECT_DOUBLE_EQ(lpt.makespan, 18);
  EXPECT_GE(predict(kSeed, 4, Discipline::block, 2).makespan, 18);
  EXPECT_NE(lpt.method.find("share 2 CPUs"), std::string::npos);
  // More CPUs than workers change nothing.
  EXPECT_DOUBLE_EQ(predict(kSeed, 4, Discipline::queue, 64).makespan, 13);
}

TEST(ScheduleModel, LongestFirstIsStable) {
  EXPECT_EQ(longest_first({1, 3, 3, 2}), (std::vector<std::size_t>{1, 2, 3, 0}));
}

// Two jobs on 2 CPUs, A 32 unit tasks and B 64, each with 2 workers (greedy) or 1 (partitioned).
CorunJob job(std::size_t tasks, unsigned workers, unsigned cpus = 1) {
  CorunJob j;
  j.durations.assign(tasks, 1.0);
  j.workers = workers;
  j.cpus = cpus;
  return j;
}

TEST(CorunModel, GreedyJobsShareTheCpusAndBGetsWhatAFrees) {
  // 4 busy workers on 2 CPUs: each at half speed; A's 32 units take 32 time units, B has done
  // 32 of its 64 by then, and the rest at full speed on both CPUs: 16 more.
  const CorunPrediction p = predict_corun(job(32, 2), job(64, 2), 2, true, true);
  EXPECT_NEAR(p.a_end, 32, 1e-9);
  EXPECT_NEAR(p.b_end, 48, 1e-9);
  EXPECT_NEAR(p.b_rate_during, 1, 1e-9);
  EXPECT_NEAR(p.b_rate_after, 2, 1e-9);
  EXPECT_NEAR(p.b_rate_alone, 2, 1e-9);
}

TEST(CorunModel, PartitionedJobsKeepTheirHalf) {
  // One worker and one CPU each: B runs at 1 throughout, what A frees stays idle.
  const CorunPrediction p = predict_corun(job(32, 1, 1), job(64, 1, 1), 2, false, true);
  EXPECT_NEAR(p.a_end, 32, 1e-9);
  EXPECT_NEAR(p.b_end, 64, 1e-9);
  EXPECT_NEAR(p.b_rate_during, 1, 1e-9);
  EXPECT_NEAR(p.b_rate_after, 1, 1e-9);
  EXPECT_NEAR(p.b_rate_alone, 1, 1e-9);
}

TEST(CorunModel, SleepingTasksNeedNoCpu) {
  // Sleep: 4 workers on 2 CPUs all advance at full speed; B's rate does not change at A's end.
  const CorunPrediction p = predict_corun(job(32, 2), job(64, 2), 2, true, false);
  EXPECT_NEAR(p.a_end, 16, 1e-9);
  EXPECT_NEAR(p.b_end, 32, 1e-9);
  EXPECT_NEAR(p.b_rate_during, 2, 1e-9);
  EXPECT_NEAR(p.b_rate_after, 2, 1e-9);
}

TEST(CorunModel, RefusesJobsWithoutWorkersOrCpus) {
  EXPECT_THROW(predict_corun(job(4, 0), job(4, 1), 2, true, true), std::invalid_argument);
  EXPECT_THROW(predict_corun(job(4, 1), job(4, 1), 0, true, true), std::invalid_argument);
  EXPECT_THROW(predict_corun(job(4, 1, 0), job(4, 1), 2, false, true), std::invalid_argument);
}

TEST(CorunModel, BEndingFirstHasNoRateAfter) {
  const CorunPrediction p = predict_corun(job(64, 2), job(8, 2), 2, true, true);
  EXPECT_GT(p.a_end, p.b_end);
  EXPECT_EQ(p.b_rate_after, 0);
}

}  // namespace
}  // namespace parbench
