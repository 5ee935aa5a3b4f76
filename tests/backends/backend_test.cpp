// Every backend, launch and policy runs every item of a job exactly once and returns the
// exact sum, for job sizes around the worker count.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "kernels/sum.hpp"
#include "tests/coverage_work.hpp"

namespace parbench {
namespace {

using testing::CoverageWork;

struct Case {
  const BackendInfo* backend;
  std::string launch;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.backend->name << "/" << c.launch;
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const auto& b : backends())
    for (const auto& l : b.launches) cases.push_back({&b, l});
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.backend->name + "_" + info.param.launch;
}

class BackendTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_THREAD__)
    if (GetParam().backend->name == "fork") GTEST_SKIP() << "TSan does not support fork()";
#endif
  }
  std::vector<Policy> policies(KernelKind kind, std::size_t grain) const {
    std::vector<Policy> out;
    const auto& info = *GetParam().backend;
    for (const auto& p : kind == KernelKind::sum ? info.sum_policies : info.task_policies)
      out.push_back(parse_policy(info, kind, p.name, grain));
    return out;
  }
};

TEST_P(BackendTest, EveryItemRunsExactlyOnce) {
  const auto& info = *GetParam().backend;
  const std::vector<unsigned> worker_counts =
      info.reference ? std::vector<unsigned>{1} : std::vector<unsigned>{1, 2, 3, 7, 64};
  for (unsigned p : worker_counts)
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{p - 1}, std::size_t{p},
                          std::size_t{p + 1}, std::size_t{100'003}})
      for (KernelKind kind : {KernelKind::sum, KernelKind::tasks})
        for (const Policy& policy : policies(kind, 3)) {
          CoverageWork work(n);
          auto backend = make_backend(info, GetParam().launch);
          const unsigned obtained = backend->start(work, p);
          EXPECT_GE(obtained, 1u);
          EXPECT_LE(obtained, p);
          for (int job = 0; job < 2; ++job) {  // a pool must serve a second job the same way
            work.reset();
            EXPECT_EQ(backend->run(policy), n) << policy.name() << " p=" << p << " n=" << n;
            EXPECT_EQ(work.first_miscounted(), n) << policy.name() << " p=" << p << " n=" << n;
          }
        }
}

TEST_P(BackendTest, SumIsExact) {
  // Each mapping and first touch, and other worker counts: one started backend runs every
  // policy (a start costs seconds under TSan).
  struct Shape {
    unsigned workers;
    Mapping mapping;
    FirstTouch touch;
  };
  std::vector<Shape> shapes = {{1, Mapping::private_pages, FirstTouch::workers},
                               {3, Mapping::private_pages, FirstTouch::workers}};
  for (Mapping mapping : {Mapping::private_pages, Mapping::shared})
    for (FirstTouch touch : {FirstTouch::workers, FirstTouch::serial})
      shapes.push_back({2, mapping, touch});
  const std::vector<Policy> all = policies(KernelKind::sum, 4096);
  for (const auto& [p, mapping, touch] : shapes) {
    SumWork work(1'000'003, mapping);
    auto backend = make_backend(*GetParam().backend, GetParam().launch);
    backend->start(work, p);
    const Preparation made = backend->prepare(all.front(), touch);
    EXPECT_EQ(!made.why, made.by == touch) << " p=" << p;
    for (const Policy& policy : all)
      EXPECT_EQ(backend->run(policy), work.expected())
          << policy.name() << " p=" << p << " mapping " << to_string(mapping) << " touch "
          << to_string(touch);
  }
  // Every policy's own prepare pass makes every item once.
  for (const Policy& policy : all) {
    SumWork work(100'003, Mapping::shared);
    auto backend = make_backend(*GetParam().backend, GetParam().launch);
    backend->start(work, 2);
    backend->prepare(policy, FirstTouch::workers);
    EXPECT_EQ(backend->run(policy), work.expected()) << policy.name() << " made by its workers";
  }
}

TEST_P(BackendTest, GetsTheWorkersItAsksForOrSaysSo) {
  if (GetParam().backend->reference) GTEST_SKIP() << "the reference has one worker";
  CoverageWork work(16);
  auto backend = make_backend(*GetParam().backend, GetParam().launch);
  // Four times the CPUs of a small machine: oversubscription must be granted, not capped, but
  // by a launcher (mpirun) for the whole run where the workers are its processes.
  const unsigned most = most_workers(*GetParam().backend);
  EXPECT_EQ(backend->start(work, 8), most == 0 ? 8u : std::min(8u, most));
}

INSTANTIATE_TEST_SUITE_P(All, BackendTest, ::testing::ValuesIn(all_cases()), case_name);

// A floor's bare job counts the workers that took part: every one of them, in every job.
TEST(DispatchFloor, EveryWorkerTakesPartInEveryBareJob) {
  for (const auto& info : backends()) {
    if (!info.dispatch_floor) continue;
#if defined(__SANITIZE_THREAD__)
    if (info.reports_children_cpu) continue;  // processes: TSan does not support fork()
#endif
    // One worker, some, and more than a small machine has CPUs (workers that sleep, not spin).
    for (unsigned workers : {1u, 2u, 3u, 8u}) {
      // Workers a launcher started for the whole run: no more than it started.
      if (most_workers(info) != 0 && workers > most_workers(info)) continue;
      const auto job = info.dispatch_floor->start(workers);
      for (int i = 0; i < 100; ++i)
        ASSERT_EQ(job(), workers) << info.name << " floor, " << workers << " workers, job " << i;
    }
  }
}

// Each launch whose workers are kept between jobs (a pool, a team, an arena) has its dispatch
// measured beside the bare floor of the same workers.
TEST(DispatchFloor, EveryLaunchThatKeepsItsWorkersHasOne) {
  for (const auto& info : backends()) {
    if (info.reference) continue;
    for (const auto& launch : info.launches) {
      const auto& per_job = info.workers_per_job;
      if (std::find(per_job.begin(), per_job.end(), launch) != per_job.end()) continue;
      EXPECT_TRUE(info.dispatch_floor && info.dispatch_floor->launch == launch)
          << info.name << "/" << launch << " keeps its workers and has no dispatch floor";
    }
  }
}

TEST(Policies, ParseNamesAndGrains) {
  const BackendInfo& thread = *find_backend("thread");
  EXPECT_EQ(parse_policy(thread, KernelKind::sum, "dynamic", 64).name(), "dynamic:64");
  EXPECT_EQ(parse_policy(thread, KernelKind::sum, "dynamic:8", 64).grain(), 8u);
  EXPECT_EQ(parse_policy(thread, KernelKind::sum, "dynamic(8)", 64).name(), "dynamic:8");
  EXPECT_EQ(parse_policy(thread, KernelKind::sum, "cyclic", 64).split(), Split::cyclic);
  EXPECT_THROW(parse_policy(thread, KernelKind::sum, "dynamic:0", 64), std::invalid_argument);
  EXPECT_THROW(parse_policy(thread, KernelKind::sum, "dynamic:x", 64), std::invalid_argument);
  EXPECT_THROW(parse_policy(thread, KernelKind::sum, "dynamic(8", 64), std::invalid_argument);
  EXPECT_THROW(parse_policy(thread, KernelKind::sum, "block:4", 64), std::invalid_argument);
  EXPECT_THROW(parse_policy(thread, KernelKind::sum, "guided", 64), std::invalid_argument);
  EXPECT_EQ(find_backend("nope"), nullptr);
}

// A policy's way of running is read back as the enum its backend named it with, and only so.
TEST(Policies, HowIsReadBackOnlyAsItsOwnEnum) {
  enum class Mine { first, second };
  enum class Other { first, second };
  const How how = Mine::second;
  EXPECT_EQ(how.as<Mine>(), Mine::second);
  EXPECT_THROW(how.as<Other>(), std::logic_error);
  EXPECT_THROW(How().as<Mine>(), std::logic_error);
}

}  // namespace
}  // namespace parbench
