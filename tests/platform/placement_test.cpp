#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

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

// Where 1, 2, 4, 8 and 16 workers land on two-package trees saved by lstopo, with and without
// the levels some machines lack (no L3 on many VMs and Arm servers, one NUMA node for the whole
// machine) and with a core's hyperthreads numbered i and i+8 as on Intel servers.
namespace parbench {
namespace {

const std::string kTrees = PARBENCH_TOPOLOGY_FIXTURES;

// The PUs the first `n` workers get: worker w runs on order[w mod size].
std::vector<int> landing(const std::vector<int>& order, unsigned n) {
  std::vector<int> pus;
  for (unsigned w = 0; w < n && !order.empty(); ++w) pus.push_back(order[w % order.size()]);
  return pus;
}

// Checks where 1, 2, 4, 8 and 16 workers of `pin` land on `fixture` (under
// tests/fixtures/topology, made by lstopo -i "<description>"): on the first n of `sixteen`.
void expect_landing(const char* fixture, Pin pin, const std::vector<int>& sixteen) {
  const Topology t = load_topology(kTrees + "/" + fixture);
  const auto order = placement_order(pin, t, t.allowed_pus);
  ASSERT_EQ(std::set<int>(order.begin(), order.end()).size(), t.pus.size())
      << fixture << ": every PU once";
  for (unsigned n : {1u, 2u, 4u, 8u, 16u})
    EXPECT_EQ(landing(order, n), std::vector<int>(sixteen.begin(), sixteen.begin() + n))
        << fixture << ", " << to_string(pin) << ", " << n << " workers";
}

// The packages the first `n` workers of `pin` use.
std::set<int> packages_used(const Topology& t, Pin pin, unsigned n) {
  std::set<int> used;
  for (int pu : landing(placement_order(pin, t, t.allowed_pus), n))
    used.insert(group_index(t.packages, pu));
  return used;
}

// Issue 23: 2 spread workers landed on PUs 0 and 2, both on package 0.
TEST(PlacementOnATreeWithoutL3, SpreadCrossesPackagesFirst) {
  expect_landing("2pack-8core-smt2-nol3.xml", Pin::spread,
                 {0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15});
  const Topology t = load_topology(kTrees + "/2pack-8core-smt2-nol3.xml");
  EXPECT_EQ(packages_used(t, Pin::spread, 2), (std::set<int>{0, 1}));
  EXPECT_EQ(packages_used(t, Pin::compact, 8), (std::set<int>{0}));
}

TEST(PlacementOnATreeWithoutL3, CompactFillsACoreThenAPackage) {
  expect_landing("2pack-8core-smt2-nol3.xml", Pin::compact,
                 {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
}

TEST(PlacementOnATreeWithoutL3, OneL3PerPackageLandsTheSame) {
  expect_landing("2pack-2l3-8core-smt2.xml", Pin::spread,
                 {0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15});
  expect_landing("2pack-2l3-8core-smt2.xml", Pin::compact,
                 {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
}

// A level hwloc does not report (no L3, one NUMA node for the whole machine) changes nothing:
// the same machine with it or without it gets the same order.
TEST(PlacementOnATreeWithoutL3, ALevelTheTreeLacksChangesNothing) {
  const Topology bare = load_topology(kTrees + "/2pack-8core-smt2-nol3.xml");
  for (const char* fixture : {"2pack-2l3-8core-smt2.xml", "2pack-2numa-8core-smt2-nol3.xml"}) {
    const Topology t = load_topology(kTrees + "/" + fixture);
    for (Pin pin : {Pin::spread, Pin::compact})
      EXPECT_EQ(placement_order(pin, t, t.allowed_pus),
                placement_order(pin, bare, bare.allowed_pus))
          << fixture << ", " << to_string(pin);
  }
}

TEST(PlacementOnATreeWithoutL3, OneNumaNodePerPackage) {
  expect_landing("2pack-2numa-8core-smt2-nol3.xml", Pin::spread,
                 {0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15});
  expect_landing("2pack-2numa-8core-smt2-nol3.xml", Pin::compact,
                 {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  const Topology t = load_topology(kTrees + "/2pack-2numa-8core-smt2-nol3.xml");
  EXPECT_EQ(
      numa_node_cpus(t, t.allowed_pus),
      (std::vector<std::vector<int>>{{0, 1, 2, 3, 4, 5, 6, 7}, {8, 9, 10, 11, 12, 13, 14, 15}}));
}

// Packages first, then the two nodes of each package, then cores; compact fills node 0 (PUs
// 0-7) and node 1 (8-15) of package 0 before package 1.
TEST(PlacementOnATreeWithoutL3, TwoNumaNodesPerPackage) {
  expect_landing("2pack-4numa-16core-smt2-nol3.xml", Pin::spread,
                 {0, 16, 8, 24, 2, 18, 10, 26, 4, 20, 12, 28, 6, 22, 14, 30});
  expect_landing("2pack-4numa-16core-smt2-nol3.xml", Pin::compact,
                 {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
}

// --pin=numa takes the nodes in spread's order: the two packages alternate.
TEST(PlacementOnATreeWithoutL3, NumaAlternatesPackages) {
  const Topology t = load_topology(kTrees + "/2pack-4numa-16core-smt2-nol3.xml");
  const auto nodes = numa_node_cpus(t, t.allowed_pus);
  ASSERT_EQ(nodes.size(), 4u);
  std::vector<unsigned> order;
  for (const auto& cpus : nodes)
    order.push_back(
        t.numa_nodes[static_cast<std::size_t>(group_index(t.numa_nodes, cpus.front()))].index);
  EXPECT_EQ(order, (std::vector<unsigned>{0, 2, 1, 3}));
  EXPECT_EQ(nodes[1], (std::vector<int>{16, 17, 18, 19, 20, 21, 22, 23}));
  const std::string shown = describe_placement(Pin::numa, {2}, t, t.allowed_pus);
  EXPECT_NE(shown.find("w0 node 0 (PUs 0-7); w1 node 2 (PUs 16-23)"), std::string::npos) << shown;
}

// Intel numbering: core c holds PUs c and c+8, so PU 1 is core 1's first thread, not core 0's
// second. Spread still crosses packages (PU 4 is package 1's first core) and leaves the second
// threads (8-15) for last; compact fills a core's two threads first.
TEST(PlacementOnATreeWithoutL3, SmtSiblingsNumberedIAndIPlusN) {
  expect_landing("2pack-8core-smt2-nol3-siblings-8-apart.xml", Pin::spread,
                 {0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15});
  expect_landing("2pack-8core-smt2-nol3-siblings-8-apart.xml", Pin::compact,
                 {0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15});
}

// Only some PUs usable: the ranks come from those, packages still first.
TEST(PlacementOnATreeWithoutL3, OnlyUsablePus) {
  const Topology t = load_topology(kTrees + "/2pack-8core-smt2-nol3.xml");
  EXPECT_EQ(placement_order(Pin::spread, t, {0, 1, 2, 3, 8, 9}),
            (std::vector<int>{0, 8, 2, 1, 9, 3}));
  EXPECT_EQ(placement_order(Pin::compact, t, {0, 1, 2, 3, 8, 9}),
            (std::vector<int>{0, 1, 2, 3, 8, 9}));
}

// Issue 23: the pinned sizing gives each of two jobs half the PUs, cut along the tree.
std::set<int> as_set(const std::vector<int>& pus) {
  return {pus.begin(), pus.end()};
}

TEST(Halves, OnTwoSocketsEachJobHasASocket) {
  for (const char* fixture :
       {"2pack-2l3-8core-smt2.xml", "2pack-8core-smt2-nol3.xml",
        "2pack-8core-smt2-nol3-siblings-8-apart.xml", "2pack-4numa-16l3-128core-smt2.xml",
        "2pack-4numa-16core-smt2-nol3.xml"}) {
    const Topology t = load_topology(kTrees + "/" + fixture);
    const Halves h = halves(t, t.allowed_pus);
    EXPECT_EQ(h.level, "package") << fixture;
    EXPECT_EQ(as_set(h.first), as_set(t.packages[0].pus)) << fixture;
    EXPECT_EQ(as_set(h.second), as_set(t.packages[1].pus)) << fixture;
  }
}

TEST(Halves, OneSocketIsCutAlongNodesThenCoresKeepingSiblingsTogether) {
  const Topology t = load_topology(kTrees + "/2pack-4numa-16core-smt2-nol3.xml");
  // Only package 0 usable: its two NUMA nodes are the halves.
  const Halves nodes = halves(t, t.packages[0].pus);
  EXPECT_EQ(nodes.level, "NUMA node");
  EXPECT_EQ(as_set(nodes.first), as_set(t.numa_nodes[0].pus));
  // Three cores of one node: cut between cores, 2 and 1, each core's siblings together.
  std::vector<int> three;
  for (int c = 0; c < 3; ++c)
    for (int pu : t.cores[static_cast<std::size_t>(c)].pus) three.push_back(pu);
  const Halves cores = halves(t, three);
  EXPECT_EQ(cores.level, "core");
  EXPECT_EQ(cores.first.size() + cores.second.size(), 6u);
  for (const auto& core : {t.cores[0], t.cores[1], t.cores[2]}) {
    const std::set<int> pus = as_set(core.pus);
    const std::set<int> first = as_set(cores.first);
    const bool in_first = first.count(*pus.begin()) != 0;
    for (int pu : pus) EXPECT_EQ(first.count(pu) != 0, in_first) << "core split, PU " << pu;
  }
}

TEST(Halves, OneCoreIsCutBetweenItsPusAndOnePuIsShared) {
  const Topology t = load_topology(kTrees + "/2pack-8core-smt2-nol3.xml");
  const Halves pus = halves(t, t.cores[0].pus);
  EXPECT_EQ(pus.level, "PU");
  EXPECT_EQ(pus.first.size(), 1u);
  EXPECT_EQ(pus.second.size(), 1u);
  const Halves one = halves(t, {t.cores[0].pus[0]});
  EXPECT_EQ(one.first, one.second);
  EXPECT_EQ(one.first.size(), 1u);
}

TEST(Halves, DescribedForShowPlacement) {
  const Topology t = load_topology(kTrees + "/2pack-2l3-8core-smt2.xml");
  const std::string text = describe_halves(t, t.allowed_pus);
  EXPECT_NE(text.find("job A on PUs"), std::string::npos) << text;
  EXPECT_NE(text.find("(cut between packages)"), std::string::npos) << text;
}

}  // namespace
}  // namespace parbench
