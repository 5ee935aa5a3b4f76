#pragma once
// The machine's tree as hwloc sees it: packages, NUMA nodes with their memory, L3 and L2
// groups, cores and their PUs, and the PUs this process is allowed. Loaded from this system,
// or from an XML file (HWLOC_XMLFILE, or load_topology's argument) so that tests can check
// two-socket, SMT and multi-L3 machines on any machine.
#include <cstddef>
#include <string>
#include <vector>

#include "platform/machine.hpp"

namespace parbench {

struct Topology {
  // A set of PUs (OS indexes) that share something: a NUMA node, a cache, a core.
  struct Group {
    unsigned index = 0;     // OS index for NUMA nodes, logical index otherwise
    std::vector<int> pus;   // OS indexes
    std::size_t bytes = 0;  // a node's local memory, a cache's size
  };
  std::vector<Group> packages, numa_nodes, l3_groups, l2_groups, cores;
  std::vector<int> pus;            // every PU, in the tree's order
  std::vector<int> allowed_pus;    // those this process may use (cgroup cpuset)
  std::vector<CacheLevel> caches;  // as seen from the first PU, source "hwloc"
  std::string source;              // "this system" or the XML file it came from

  // PUs per core (2 with SMT on).
  unsigned pus_per_core() const;
};

// The position in `groups` of the group that holds `pu`, or -1.
int group_index(const std::vector<Topology::Group>& groups, int pu);

// This process's topology, loaded once (HWLOC_XMLFILE is honoured, as hwloc does).
const Topology& topology();

// Loads a topology: from `xml_file`, or from this system when it is empty. Throws
// std::runtime_error when hwloc cannot.
Topology load_topology(const std::string& xml_file = "");

// The NUMA node (OS index) that holds `pu` in `t`, or -1.
int numa_node_of_pu(const Topology& t, int pu);

// The NUMA nodes (OS indexes) that hold the pages of [address, address + bytes) now, as the
// kernel says (hwloc_get_area_memlocation, i.e. move_pages(2)). Pages not yet touched are on
// none. Throws std::runtime_error when this system cannot say.
std::vector<int> memory_nodes_of(const void* address, std::size_t bytes);

// "2 packages, 4 NUMA nodes (4.0 GiB), 8 L3 (16 MiB each), 32 cores, 64 PUs (SMT 2), 64 allowed"
std::string topology_summary(const Topology& t);

}  // namespace parbench
