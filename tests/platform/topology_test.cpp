// The machine's tree from hwloc, checked on topologies saved as XML (made with
// lstopo-no-graphics -i "pack:2 numa:2 l3:2 core:4 pu:2" --of xml): two sockets, SMT and
// several L3 groups, whatever machine runs the test.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string>

#include "platform/placement.hpp"
#include "platform/topology.hpp"
#include "tests/process.hpp"

namespace parbench {
namespace {

const std::string kFixtures = PARBENCH_TOPOLOGY_FIXTURES;

TEST(Topology, TwoSocketsWithSmtAndSeveralL3) {
  const Topology t = load_topology(kFixtures + "/2pack-4numa-8l3-32core-smt2.xml");
  EXPECT_EQ(t.packages.size(), 2u);
  EXPECT_EQ(t.numa_nodes.size(), 4u);
  EXPECT_EQ(t.l3_groups.size(), 8u);
  EXPECT_EQ(t.cores.size(), 32u);
  EXPECT_EQ(t.pus.size(), 64u);
  EXPECT_EQ(t.pus_per_core(), 2u);
  EXPECT_EQ(t.allowed_pus.size(), 64u);
  // Every PU in exactly one node, one L3 and one core.
  for (const auto* level : {&t.numa_nodes, &t.l3_groups, &t.cores}) {
    std::multiset<int> seen;
    for (const auto& g : *level) seen.insert(g.pus.begin(), g.pus.end());
    EXPECT_EQ(seen.size(), 64u);
    EXPECT_EQ(std::set<int>(seen.begin(), seen.end()).size(), 64u);
  }
  EXPECT_EQ(t.numa_nodes[0].pus.size(), 16u);
  EXPECT_GT(t.numa_nodes[0].bytes, 0u);
  EXPECT_EQ(t.l3_groups[0].pus.size(), 8u);
  EXPECT_FALSE(t.caches.empty());
  EXPECT_EQ(topology_summary(t),
            "2 packages, 4 NUMA nodes (4 GiB), 8 L3 (16 MiB each), 32 cores, 64 PUs (SMT 2), 64 "
            "allowed");
}

TEST(Topology, ABigServer) {
  const Topology t = load_topology(kFixtures + "/2pack-4numa-16l3-128core-smt2.xml");
  EXPECT_EQ(t.cores.size(), 128u);
  EXPECT_EQ(t.pus.size(), 256u);
  EXPECT_EQ(t.l3_groups.size(), 16u);
}

// Levels some machines lack: no L3 (many VMs and Arm servers), one NUMA node for the whole
// machine (lstopo -i "pack:2 core:4 pu:2"); and a core's two threads numbered i and i+8
// (lstopo -i "pack:2 core:4 pu:2(indexes=2*8:1*2)").
TEST(Topology, TwoSocketsWithoutL3) {
  const Topology t = load_topology(kFixtures + "/2pack-8core-smt2-nol3.xml");
  EXPECT_EQ(t.packages.size(), 2u);
  EXPECT_EQ(t.numa_nodes.size(), 1u);
  EXPECT_EQ(t.numa_nodes[0].pus.size(), 16u);
  EXPECT_TRUE(t.l3_groups.empty());
  EXPECT_EQ(t.cores.size(), 8u);
  EXPECT_EQ(t.pus_per_core(), 2u);
  EXPECT_EQ(topology_summary(t),
            "2 packages, 1 NUMA node (1 GiB), 0 L3, 8 cores, 16 PUs (SMT 2), 16 allowed");
  const Topology numa = load_topology(kFixtures + "/2pack-4numa-16core-smt2-nol3.xml");
  EXPECT_EQ(numa.numa_nodes.size(), 4u);
  EXPECT_TRUE(numa.l3_groups.empty());
  EXPECT_EQ(numa.numa_nodes[2].pus.front(), 16) << "node 2 is package 1's first";
  EXPECT_EQ(group_index(numa.packages, 16), 1);
  const Topology l3 = load_topology(kFixtures + "/2pack-2l3-8core-smt2.xml");
  EXPECT_EQ(l3.l3_groups.size(), 2u);
  EXPECT_EQ(l3.l3_groups[1].pus, l3.packages[1].pus);
}

TEST(Topology, SmtSiblingsNumberedIAndIPlusN) {
  const Topology t = load_topology(kFixtures + "/2pack-8core-smt2-nol3-siblings-8-apart.xml");
  ASSERT_EQ(t.cores.size(), 8u);
  EXPECT_EQ(t.cores[0].pus, (std::vector<int>{0, 8}));
  EXPECT_EQ(t.cores[7].pus, (std::vector<int>{7, 15}));
  EXPECT_EQ(t.packages[1].pus, (std::vector<int>{4, 5, 6, 7, 12, 13, 14, 15}));
  EXPECT_EQ(t.pus_per_core(), 2u);
}

TEST(Topology, HwlocXmlFileIsHonoured) {
  const std::string file = kFixtures + "/2pack-4numa-8l3-32core-smt2.xml";
  setenv("HWLOC_XMLFILE", file.c_str(), 1);
  const Topology t = load_topology();
  unsetenv("HWLOC_XMLFILE");
  EXPECT_EQ(t.source, file);
  EXPECT_EQ(t.pus.size(), 64u);
}

TEST(Topology, ThisMachineHasAtLeastTheUsableCpus) {
  const Topology& t = topology();
  EXPECT_GE(t.pus.size(), 1u);
  EXPECT_GE(t.allowed_pus.size(), 1u);
  EXPECT_FALSE(cache_levels().empty());
}

TEST(Topology, AFileThatIsNotATopologyIsAnError) {
  EXPECT_THROW(load_topology(kFixtures + "/no-such-file.xml"), std::runtime_error);
}

// How many different groups of `groups` the first `n` PUs of `order` fall in.
std::size_t groups_used(const std::vector<Topology::Group>& groups, const std::vector<int>& order,
                        std::size_t n) {
  std::set<std::size_t> used;
  for (std::size_t w = 0; w < n; ++w)
    for (std::size_t g = 0; g < groups.size(); ++g)
      if (std::find(groups[g].pus.begin(), groups[g].pus.end(), order[w]) != groups[g].pus.end())
        used.insert(g);
  return used.size();
}

TEST(PlacementOnATree, SpreadGoesAcrossPackagesThenNodesThenL3ThenCoresSmtLast) {
  const Topology t = load_topology(kFixtures + "/2pack-4numa-8l3-32core-smt2.xml");
  const auto order = placement_order(Pin::spread, t, t.allowed_pus);
  ASSERT_EQ(order.size(), 64u);
  EXPECT_EQ(groups_used(t.packages, order, 2), 2u);
  EXPECT_EQ(groups_used(t.numa_nodes, order, 4), 4u);
  EXPECT_EQ(groups_used(t.l3_groups, order, 8), 8u);
  EXPECT_EQ(groups_used(t.cores, order, 32), 32u)
      << "a second SMT thread before every core has one";
  EXPECT_EQ(std::set<int>(order.begin(), order.end()).size(), 64u);
}

TEST(PlacementOnATree, CompactFillsACoreThenAnL3ThenANodeThenAPackage) {
  const Topology t = load_topology(kFixtures + "/2pack-4numa-8l3-32core-smt2.xml");
  const auto order = placement_order(Pin::compact, t, t.allowed_pus);
  ASSERT_EQ(order.size(), 64u);
  EXPECT_EQ(groups_used(t.cores, order, 2), 1u);
  EXPECT_EQ(groups_used(t.l3_groups, order, 8), 1u);
  EXPECT_EQ(groups_used(t.numa_nodes, order, 16), 1u);
  EXPECT_EQ(groups_used(t.packages, order, 32), 1u);
}

// --pin=numa: each worker gets every usable PU of one node, the nodes taken far apart first
// (packages alternate), as OMP_PLACES=numa_domains with OMP_PROC_BIND=spread binds threads.
TEST(PlacementOnATree, NumaGivesEachWorkerAWholeNodePackagesAlternating) {
  const Topology t = load_topology(kFixtures + "/2pack-4numa-8l3-32core-smt2.xml");
  const auto nodes = numa_node_cpus(t, t.allowed_pus);
  ASSERT_EQ(nodes.size(), 4u);
  std::set<int> all;
  for (const auto& cpus : nodes) {
    EXPECT_EQ(cpus.size(), 16u);
    const int node = group_index(t.numa_nodes, cpus.front());
    for (int pu : cpus) EXPECT_EQ(group_index(t.numa_nodes, pu), node);
    all.insert(cpus.begin(), cpus.end());
  }
  EXPECT_EQ(all.size(), 64u);
  EXPECT_NE(group_index(t.packages, nodes[0].front()), group_index(t.packages, nodes[1].front()));
  const std::string shown = describe_placement(Pin::numa, {2}, t, t.allowed_pus);
  EXPECT_NE(shown.find("w0 node 0 (PUs 0-15); w1 node 2 (PUs 32-47)"), std::string::npos) << shown;
  // Only the usable PUs of a node, and no node without any.
  const auto some = numa_node_cpus(t, {1, 2, 40});
  EXPECT_EQ(std::set<std::vector<int>>(some.begin(), some.end()),
            (std::set<std::vector<int>>{{1, 2}, {40}}));
  EXPECT_EQ(parse_pin("numa"), Pin::numa);
  EXPECT_EQ(cpu_for_worker(Pin::numa, 0), -1);
  EXPECT_FALSE(cpus_for_worker(Pin::numa, 0).empty());
}

TEST(PlacementOnATree, OnlyUsablePusAndABigServer) {
  const Topology t = load_topology(kFixtures + "/2pack-4numa-16l3-128core-smt2.xml");
  const auto order = placement_order(Pin::spread, t, t.allowed_pus);
  EXPECT_EQ(groups_used(t.l3_groups, order, 16), 16u);
  EXPECT_EQ(groups_used(t.cores, order, 128), 128u);
  const std::vector<int> usable = {0, 1, 2, 3, 200, 201};
  const auto some = placement_order(Pin::compact, t, usable);
  EXPECT_EQ(std::set<int>(some.begin(), some.end()), std::set<int>(usable.begin(), usable.end()));
}

TEST(PlacementOnATree, ShowPlacementPrintsAnotherMachinesTreeAndRunsNothing) {
  testing::Started s({PARBENCH_BINARY, "--show-placement", "--workers=2,4", "--pin=spread"},
                     {"HWLOC_XMLFILE=" + kFixtures + "/2pack-4numa-8l3-32core-smt2.xml"});
  const testing::Outcome o = s.wait();
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("2 packages, 4 NUMA nodes"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("2 workers: w0 PU 0 package 0 node 0 L3 0 core 0; w1 PU 32 package 1"),
            std::string::npos)
      << o.out;
  EXPECT_EQ(o.err.find("measuring"), std::string::npos) << "nothing runs";
}

// Issue 23: without an L3 level, 2 spread workers landed on one package.
TEST(PlacementOnATree, ShowPlacementCrossesPackagesWithoutL3) {
  testing::Started s({PARBENCH_BINARY, "--show-placement", "--workers=2", "--pin=spread"},
                     {"HWLOC_XMLFILE=" + kFixtures + "/2pack-8core-smt2-nol3.xml"});
  const testing::Outcome o = s.wait();
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("2 workers: w0 PU 0 package 0 node 0 core 0; w1 PU 8 package 1 node 0 "
                       "core 4\n"),
            std::string::npos)
      << o.out;
  testing::Started numa({PARBENCH_BINARY, "--show-placement", "--workers=2", "--pin=numa"},
                        {"HWLOC_XMLFILE=" + kFixtures + "/2pack-4numa-16core-smt2-nol3.xml"});
  const testing::Outcome n = numa.wait();
  ASSERT_EQ(n.status, 0) << n.err;
  EXPECT_NE(n.out.find("2 workers: w0 node 0 (PUs 0-7); w1 node 2 (PUs 16-23)"), std::string::npos)
      << n.out;
}

// A full sweep planned for a two-socket, 128-core server with SMT stays bounded: powers of two
// to twice the PUs, with the cores, the PUs and twice them in; sizes beyond all 16 L3 groups.
TEST(SweepOnATree, ADryRunForABigServerIsBoundedAndRunsNothing) {
  const std::string out = ::testing::TempDir() + "/dry_run_never_written.json";
  testing::Started s(
      {PARBENCH_BINARY, "--dry-run", "--suite=full", "--calibration-size=1M", "--out=" + out},
      {"HWLOC_XMLFILE=" + kFixtures + "/2pack-4numa-16l3-128core-smt2.xml"});
  const testing::Outcome o = s.wait();
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("workers: sum 1,2,4,8,16,32,64,128,256,512;"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("estimate: "), std::string::npos) << o.out;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".partial"));
}

// With several NUMA nodes each sum makes its own array with its own workers (where its pages
// lie is part of what it measures), and the benchmarks of one size still alternate in rounds
// while their arrays fit in memory together.
TEST(SumOnATree, EachBenchmarkMakesItsOwnArrayAndTheyAreInterleaved) {
  const std::string out = ::testing::TempDir() + "/sum_on_a_tree.json";
  testing::Started s({PARBENCH_BINARY, "--kernels=sum", "--backends=serial,thread", "--launch=pool",
                      "--workers=2", "--sizes=4K", "--min-time=0.001", "--repetitions=2",
                      "--calibration-size=1M", "--out=" + out},
                     {"HWLOC_XMLFILE=" + kFixtures + "/2pack-4numa-8l3-32core-smt2.xml"});
  const testing::Outcome o = s.wait();
  ASSERT_EQ(o.status, 0) << o.err;
  std::ifstream in(out);
  const nlohmann::json report = nlohmann::json::parse(in);
  int pools = 0;
  for (const auto& e : report["benchmarks"]) {
    if (!e.contains("measurement")) continue;
    EXPECT_FALSE(e["first_touch"].contains("made_for")) << e["first_touch"].dump();
    if (e["params"]["backend"] == "thread") {
      ++pools;
      EXPECT_EQ(e["measurement"]["interleaved_with"].size(), 2u);
    }
  }
  EXPECT_EQ(pools, 3);
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace parbench
