#include <gtest/gtest.h>

#include <numeric>

#include "backends/backend.hpp"
#include "kernels/tasks.hpp"
#include "tests/process.hpp"

namespace parbench {
namespace {

TEST(TaskSets, BuiltInsAndLists) {
  EXPECT_EQ(parse_task_set("seed").durations, (std::vector<double>{2, 4, 6, 8, 1, 3, 5, 7}));
  EXPECT_EQ(parse_task_set("2,4,6").durations, (std::vector<double>{2, 4, 6}));
  EXPECT_EQ(parse_task_set("0.5").durations, (std::vector<double>{0.5}));
  EXPECT_EQ(parse_task_set("increasing:4").durations, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(parse_task_set("equal:3").durations, (std::vector<double>{1, 1, 1}));
  const auto straggler = parse_task_set("straggler:5").durations;
  EXPECT_EQ(straggler, (std::vector<double>{1, 1, 1, 1, 4}));  // as long as all the others
}

TEST(TaskSets, GeneratedSetsAreReproducibleAndSeeded) {
  const auto a = parse_task_set("uniform:50:7").durations;
  EXPECT_EQ(a, parse_task_set("uniform:50:7").durations);
  EXPECT_NE(a, parse_task_set("uniform:50:8").durations);
  for (double d : a) {
    EXPECT_GE(d, 1);
    EXPECT_LE(d, 10);
  }
  const auto heavy = parse_task_set("heavy:1000").durations;
  const double mean = std::accumulate(heavy.begin(), heavy.end(), 0.0) / heavy.size();
  EXPECT_GT(*std::max_element(heavy.begin(), heavy.end()), 5 * mean) << "a heavy tail";
  // Pinned values: a change of generator would silently change every report's task set.
  EXPECT_EQ(parse_task_set("uniform:3:1").durations, parse_task_set("uniform:3").durations);
}

TEST(TaskSets, BadSpecsAreRejected) {
  for (const char* bad : {"", ",", "1,,2", "1,-2", "0", "-1", "abc", "1,x", "uniform", "uniform:0",
                          "uniform:x", "uniform:5:x", "increasing:3:1", "nope:3", "uniform:1:2:3",
                          "uniform:1000000", "nan", "1e999"})
    EXPECT_THROW(parse_task_set(bad), std::invalid_argument) << bad;
  EXPECT_THROW(check_task_set(parse_task_set("1000"), 1.0), std::invalid_argument);
  EXPECT_NO_THROW(check_task_set(parse_task_set("seed"), 1e-3));
}

TEST(TaskUnits, ParseDurations) {
  EXPECT_DOUBLE_EQ(parse_unit("1ms"), 1e-3);
  EXPECT_DOUBLE_EQ(parse_unit("10ms"), 1e-2);
  EXPECT_DOUBLE_EQ(parse_unit("500us"), 5e-4);
  EXPECT_DOUBLE_EQ(parse_unit("1s"), 1);
  EXPECT_DOUBLE_EQ(parse_unit("0.5ms"), 5e-4);
  for (const char* bad : {"", "ms", "10", "10m", "-1ms", "0ms", "100s", "1.2.3ms", "1 ms"})
    EXPECT_THROW(parse_unit(bad), std::invalid_argument) << bad;
}

TEST(TaskBodies, SleepAndSpinLastAtLeastTheirDuration) {
  for (TaskBody body : {TaskBody::sleep, TaskBody::spin}) {
    const double start = monotonic_seconds();
    run_task_body(body, 2e-3);
    EXPECT_GE(monotonic_seconds() - start, 2e-3) << to_string(body);
  }
}

// Every backend and task policy runs every task exactly once, with timelines that fit.
TEST(TaskWork, EveryBackendRunsEveryTaskOnce) {
  const TaskSet set = parse_task_set("2,4,6,8,1,3,5,7,1,1,2");
  for (const auto& info : backends()) {
#if defined(__SANITIZE_THREAD__)
    if (info.name == "fork") continue;
#endif
    for (const auto& launch : info.launches)
      for (const auto& name : info.task_policies)
        for (unsigned workers : {1u, 3u, 16u}) {
          const Policy policy = parse_policy(info, KernelKind::tasks, name.name, 1);
          std::vector<std::size_t> order(set.durations.size());
          std::iota(order.begin(), order.end(), 0);
          TaskWork work(set, 20e-6, TaskBody::sleep, order);
          auto backend = make_backend(info, launch);
          const unsigned obtained = backend->start(work, workers);
          for (int job = 0; job < 2; ++job) {
            work.begin_job();
            EXPECT_EQ(backend->run(policy), set.durations.size());
            EXPECT_EQ(work.check_job(), std::nullopt)
                << info.name << "/" << launch << "/" << name.name;
          }
          for (std::size_t t = 0; t < set.durations.size(); ++t) {
            EXPECT_LT(work.record(t).worker, static_cast<int>(obtained));
            EXPECT_GE(work.record(t).start, 0);
          }
        }
  }
}

TEST(TaskWork, ACheckCatchesAMissingTask) {
  const TaskSet set = parse_task_set("1,1,1");
  TaskWork work(set, 1e-6, TaskBody::sleep, {0, 1, 2});
  work.begin_job();
  work.run(0, 0, 2, 1);  // task 2 never runs
  EXPECT_NE(work.check_job().value_or("").find("did not run"), std::string::npos);
  work.begin_job();
  work.run(0, 0, 3, 1);
  work.run(1, 1, 2, 1);  // task 1 twice
  EXPECT_NE(work.check_job().value_or("").find("more than once"), std::string::npos);
}

class BadTaskFlag : public ::testing::TestWithParam<std::string> {};

TEST_P(BadTaskFlag, ExitsTwoWithOneLine) {
  const auto o = testing::run_program(
      {PARBENCH_BINARY, "--kernels=sleep", GetParam(), "--out=/tmp/parbench-never.json"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
}

INSTANTIATE_TEST_SUITE_P(Cli, BadTaskFlag,
                         ::testing::Values("--tasks=", "--tasks=1,,2", "--tasks=-3", "--tasks=x,y",
                                           "--tasks=uniform:0", "--tasks=100000000", "--unit=fast",
                                           "--unit=0ms", "--unit=20s", "--pin=everywhere",
                                           "--policies=lpt:4"));

}  // namespace
}  // namespace parbench
