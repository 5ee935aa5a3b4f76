#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include "backends/backend.hpp"
#include "kernels/sum.hpp"
#include "platform/machine.hpp"
#include "platform/placement.hpp"

namespace parbench {
namespace {

TEST(Placement, EveryOrderUsesEachUsableCpuOnce) {
  for (Pin pin : {Pin::compact, Pin::spread}) {
    std::vector<int> order = placement_order(pin);
    std::vector<int> cpus = affinity_cpus();
    std::sort(order.begin(), order.end());
    EXPECT_EQ(order, cpus) << to_string(pin);
  }
  EXPECT_EQ(cpu_for_worker(Pin::none, 3), -1);
  const auto order = placement_order(Pin::compact);
  EXPECT_EQ(cpu_for_worker(Pin::compact, static_cast<unsigned>(order.size())), order[0]);
  EXPECT_THROW(parse_pin("everywhere"), std::invalid_argument);
}

// A pinned backend's workers run where they were told, and the caller gets its CPUs back.
TEST(Placement, PinnedWorkersRunWhereAsked) {
  SumWork work(1 << 16, Mapping::private_pages);
  const auto before = thread_affinity_cpus();
  for (const auto& info : backends()) {
#if defined(__SANITIZE_THREAD__)
    if (info.name == "fork") continue;
#endif
    if (info.reference) continue;
    for (const auto& launch : info.launches) {
      {
        auto backend = make_backend(info, launch);
        backend->set_pin(Pin::compact);
        const unsigned workers = backend->start(work, 2);
        const Policy block = parse_policy(info, KernelKind::sum, info.sum_policies.front().name, 1);
        backend->prepare(block, FirstTouch::workers);
        EXPECT_EQ(backend->run(block), work.expected());
        const auto seen = work.cpus_seen(workers);
        for (unsigned w = 0; w < workers; ++w)
          if (seen[w] >= 0) {  // TBB may leave a worker without a piece
            EXPECT_EQ(seen[w], cpu_for_worker(Pin::compact, w)) << info.name << "/" << launch;
          }
      }
      EXPECT_EQ(thread_affinity_cpus(), before) << info.name << "/" << launch;
    }
  }
}

}  // namespace
}  // namespace parbench

namespace parbench {
namespace {

class CgroupTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        std::filesystem::temp_directory_path() / ("parbench-cgroup-" + std::to_string(getpid()));
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::string& file, const std::string& text) {
    const auto path = root_ / file;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text << "\n";
  }
  std::optional<double> limit(const std::string& self) {
    return cgroup_cpu_limit_at(self, root_.string());
  }
  std::filesystem::path root_;
};

TEST_F(CgroupTree, ReadsTheProcesssOwnCgroupNotTheRoot) {
  write("cpu.max", "max 100000");
  write("a/cpu.max", "max 100000");
  write("a/b/cpu.max", "150000 100000");
  EXPECT_DOUBLE_EQ(*limit("0::/a/b\n"), 1.5);
  EXPECT_FALSE(limit("0::/\n").has_value());
}

TEST_F(CgroupTree, AParentsQuotaHoldsForItsChildren) {
  write("a/cpu.max", "50000 100000");
  write("a/b/cpu.max", "150000 100000");
  EXPECT_DOUBLE_EQ(*limit("0::/a/b\n"), 0.5);
}

TEST_F(CgroupTree, ReadsVersionOneAndHybridMounts) {
  write("cpu,cpuacct/x/cpu.cfs_quota_us", "200000");
  write("cpu,cpuacct/x/cpu.cfs_period_us", "100000");
  EXPECT_DOUBLE_EQ(*limit("4:memory:/y\n2:cpu,cpuacct:/x\n0::/\n"), 2.0);
  write("unified/z/cpu.max", "300000 100000");
  EXPECT_DOUBLE_EQ(*limit("0::/z\n"), 3.0);
  EXPECT_FALSE(limit("1:cpu:/nothing-set\n").has_value());
}

// A VM names its CPU "AMD EPYC" whatever the generation; the numbers still tell them apart.
TEST(CpuIdentity, ReadsTheFirstProcessorsNumbersAndTheHypervisorFlag) {
  const CpuIdentity id = cpu_identity_of(
      "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\n"
      "model name\t: AMD EPYC\nstepping\t: 1\nflags\t\t: fpu sse2 hypervisor lahf_lm\n\n"
      "processor\t: 1\nvendor_id\t: Other\nmodel\t\t: 9\n");
  EXPECT_EQ(id.model_name, "AMD EPYC");
  EXPECT_EQ(id.vendor, "AuthenticAMD");
  EXPECT_EQ(id.family, 25);
  EXPECT_EQ(id.model, 1);
  EXPECT_EQ(id.stepping, 1);
  EXPECT_TRUE(id.hypervisor);
}

TEST(CpuIdentity, SaysUnknownWhereCpuinfoSaysNothing) {
  const CpuIdentity id = cpu_identity_of("flags\t: fpu hypervisorx\nmodel\t: unknown\n");
  EXPECT_EQ(id.model_name, "unknown");
  EXPECT_EQ(id.family, -1);
  EXPECT_EQ(id.model, -1);
  EXPECT_FALSE(id.hypervisor);
  EXPECT_EQ(cpu_identity_of("").model_name, "unknown");
}

}  // namespace
}  // namespace parbench
