// The machine's tree from hwloc, checked on topologies saved as XML (made with
// lstopo-no-graphics -i "pack:2 numa:2 l3:2 core:4 pu:2" --of xml): two sockets, SMT and
// several L3 groups, whatever machine runs the test.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <set>
#include <string>

#include "platform/topology.hpp"

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
            "2 packages, 4 NUMA nodes (4.0 GiB), 8 L3 (16 MiB each), 32 cores, 64 PUs (SMT 2), 64 "
            "allowed");
}

TEST(Topology, ABigServer) {
  const Topology t = load_topology(kFixtures + "/2pack-4numa-16l3-128core-smt2.xml");
  EXPECT_EQ(t.cores.size(), 128u);
  EXPECT_EQ(t.pus.size(), 256u);
  EXPECT_EQ(t.l3_groups.size(), 16u);
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

}  // namespace
}  // namespace parbench
