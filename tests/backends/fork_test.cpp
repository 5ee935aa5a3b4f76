// A forked worker that dies becomes an error, never a hang, and leaves no process behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "backends/backend.hpp"
#include "platform/clocks.hpp"
#include "tests/coverage_work.hpp"

namespace parbench {
namespace {

// Worker 1 dies the way the test asks; the others run normally.
class DyingWork final : public Work {
 public:
  explicit DyingWork(int signal) : signal_(signal) {}
  std::size_t items() const override { return 64; }
  std::uint64_t run(unsigned worker, std::size_t begin, std::size_t end,
                    std::size_t stride) const override {
    if (worker == 1) {
      if (signal_ == 0) _exit(7);
      raise(signal_);
    }
    return (end - begin + stride - 1) / stride;
  }

 private:
  int signal_;
};

// Children of this process, and how many of them are zombies, read from /proc.
struct Children {
  int alive = 0;
  int zombies = 0;
};

// Calls `each(pid, state)` for every child of this process, from /proc, until it returns true.
template <typename Each>
void scan_children(Each each) {
  const std::string self = std::to_string(getpid());
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string state, ppid;
    rest >> state >> ppid;
    if (ppid == self &&
        each(static_cast<pid_t>(std::stol(entry.path().filename().string())), state))
      return;
  }
}

Children children_of_this_process() {
  Children c;
  scan_children([&](pid_t, const std::string& state) {
    ++c.alive;
    if (state == "Z") ++c.zombies;
    return false;
  });
  return c;
}

pid_t any_child_of_this_process() {
  pid_t found = -1;
  scan_children([&](pid_t pid, const std::string&) {
    found = pid;
    return true;
  });
  return found;
}

class ForkFailure : public ::testing::TestWithParam<std::tuple<std::string, int>> {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "TSan does not support fork()";
#endif
  }
};

TEST_P(ForkFailure, DeadWorkerIsReportedAndReaped) {
  const auto [launch, signal] = GetParam();
  DyingWork work(signal);
  const BackendInfo& fork = *find_backend("fork");
  {
    auto backend = make_backend(fork, launch);
    backend->start(work, 3);
    const Policy block = parse_policy(fork, KernelKind::sum, "block", 1);
    try {
      backend->run(block);
      FAIL() << "a dead worker went unnoticed";
    } catch (const WorkerFailure& e) {
      EXPECT_NE(std::string(e.what()).find("fork worker 1 "), std::string::npos) << e.what();
    }
    // The backend stays usable for reporting, and says so rather than hanging.
    if (launch == "pool") {
      EXPECT_THROW(backend->run(block), WorkerFailure);
    }
  }
  const Children after = children_of_this_process();
  EXPECT_EQ(after.zombies, 0);
  EXPECT_EQ(after.alive, 0);
}

INSTANTIATE_TEST_SUITE_P(Launches, ForkFailure,
                         ::testing::Combine(::testing::Values("spawn", "pool"),
                                            ::testing::Values(SIGKILL, SIGABRT, 0)));

TEST(ForkPool, StopsCleanlyAndLeavesNothing) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan does not support fork()";
#endif
  {
    testing::CoverageWork work(1000);
    auto backend = make_backend(*find_backend("fork"), "pool");
    backend->start(work, 4);
    EXPECT_EQ(children_of_this_process().alive, 3);  // the parent is worker 0
    EXPECT_EQ(backend->run(parse_policy(*find_backend("fork"), KernelKind::sum, "dynamic", 10)),
              1000u);
    EXPECT_GE(backend->children_cpu_seconds(), 0.0);
  }
  EXPECT_EQ(children_of_this_process().alive, 0);
}

TEST(ForkFloor, ADeadWorkerIsReportedAndNothingIsLeftBehind) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan does not support fork()";
#endif
  const DispatchFloor& floor = *find_backend("fork")->dispatch_floor;
  {
    const auto job = floor.start(3);
    EXPECT_EQ(children_of_this_process().alive, 2);  // the parent takes part as a worker
    EXPECT_EQ(job(), 3u);
    const pid_t worker = any_child_of_this_process();
    ASSERT_GT(worker, 0);
    kill(worker, SIGKILL);
    EXPECT_THROW(
        {
          // A job may still finish while the killed worker waits for the next one.
          for (int i = 0; i < 2; ++i) job();
        },
        WorkerFailure);
    EXPECT_THROW(job(), WorkerFailure);  // and says so again rather than hanging
  }
  const Children after = children_of_this_process();
  EXPECT_EQ(after.zombies, 0);
  EXPECT_EQ(after.alive, 0);
}

// Each item keeps its worker's CPU busy for `ms` milliseconds of its own CPU clock.
class BusyWork final : public Work {
 public:
  explicit BusyWork(std::size_t items, double ms) : items_(items), ms_(ms) {}
  std::size_t items() const override { return items_; }
  std::uint64_t run(unsigned, std::size_t begin, std::size_t end,
                    std::size_t stride) const override {
    std::uint64_t count = 0;
    for (std::size_t i = begin; i < end; i += stride) {
      const double until = clock_seconds(CLOCK_THREAD_CPUTIME_ID) + ms_ / 1000;
      while (clock_seconds(CLOCK_THREAD_CPUTIME_ID) < until) {
      }
      ++count;
    }
    return count;
  }

 private:
  std::size_t items_;
  double ms_;
};

TEST(ForkPool, ReportsTheCpuTimeOfItsChildren) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSan does not support fork()";
#endif
  BusyWork work(3, 30);
  const BackendInfo& fork = *find_backend("fork");
  auto backend = make_backend(fork, "pool");
  backend->start(work, 3);
  const double before = backend->children_cpu_seconds();
  EXPECT_EQ(backend->run(parse_policy(fork, KernelKind::sum, "block", 1)), 3u);
  // Workers 1 and 2, children, each kept busy 30 ms of their own CPU time; worker 0 is the
  // parent, whose time Google Benchmark counts.
  const double children = backend->children_cpu_seconds() - before;
  EXPECT_GE(children, 0.055);
  EXPECT_LT(children, 0.085);
}

}  // namespace
}  // namespace parbench
