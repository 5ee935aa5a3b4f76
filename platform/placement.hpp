#pragma once
// Where workers run. By default the OS decides; --pin makes the program decide, the same way
// for every backend: worker w goes to placement_order(pin)[w mod n], or with numa to every
// usable PU of one NUMA node (the nodes taken in turn, far apart first), as OpenMP's
// OMP_PLACES=numa_domains with OMP_PROC_BIND=spread would bind it.
#include <string>
#include <vector>

#include "platform/topology.hpp"

namespace parbench {

enum class Pin { none, compact, spread, numa };

Pin parse_pin(const std::string& text);  // "none", "compact", "spread", "numa"
const char* to_string(Pin pin);

// The usable CPUs in the order workers are placed on them, from hwloc's tree. compact:
// neighbours first (the PUs of one core, then the cores of one L3, then one NUMA node, then one
// package); spread: as far apart as possible (packages, then NUMA nodes, then L3 groups, then
// cores), SMT siblings only once every core has one worker. A level the tree lacks (no L3 on
// many VMs and Arm servers) is skipped: it changes nothing below it.
std::vector<int> placement_order(Pin pin);
// The same for a given topology and usable PUs (a topology loaded from XML, in tests and in
// --show-placement).
std::vector<int> placement_order(Pin pin, const Topology& topology, const std::vector<int>& usable);

// The usable PUs cut in two halves for two jobs at once (the pinned sizing of the corun
// kernel), along the coarsest level of the tree that can cut them evenly: packages, then NUMA
// nodes, then L3 groups, then cores, then PUs, so that on a two-socket server each job has a
// socket and SMT siblings stay together. A level above cores cuts when one of its boundaries
// lies within an eighth of the PUs of the middle; cores cut at the boundary nearest it, even
// unevenly, rather than part a core's siblings; PUs only within one core. Each half is in
// compact order; with one usable PU both halves are that PU.
struct Halves {
  std::vector<int> first, second;
  std::string level;  // where the cut fell: "package", "NUMA node", "L3", "core" or "PU"
};
Halves halves(const Topology& topology, const std::vector<int>& usable);
// Each half's PUs and where the cut fell, in words (for --show-placement, with the corun
// kernel that will use the halves).
std::string describe_halves(const Topology& topology, const std::vector<int>& usable);

// For each worker count, the PU (and its package, node, L3 and core) each worker would get: what
// --show-placement prints, without running anything.
std::string describe_placement(Pin pin, const std::vector<unsigned>& worker_counts,
                               const Topology& topology, const std::vector<int>& usable);

// The usable PUs of each NUMA node that has any, nodes in the order spread reaches them
// (packages alternate).
std::vector<std::vector<int>> numa_node_cpus(const Topology& topology,
                                             const std::vector<int>& usable);

// CPU for worker w, or -1 for Pin::none and Pin::numa.
int cpu_for_worker(Pin pin, unsigned worker);
// The CPUs worker w may run on: one for compact and spread, a node's for numa, none (the OS
// decides) for none.
std::vector<int> cpus_for_worker(Pin pin, unsigned worker);

// Pins the calling thread (or, in a forked child, the process) to one CPU; no-op for cpu < 0.
void pin_calling_thread(int cpu);
// Pins the calling thread to the CPUs `pin` gives worker w; no-op for Pin::none.
void pin_worker(Pin pin, unsigned worker);

// The calling thread's affinity, to restore after pinning a thread that is not ours.
class SavedAffinity {
 public:
  SavedAffinity();
  ~SavedAffinity();
  SavedAffinity(const SavedAffinity&) = delete;
  SavedAffinity& operator=(const SavedAffinity&) = delete;

 private:
  std::vector<int> cpus_;
};

// The CPU the calling thread is on right now.
int current_cpu();

}  // namespace parbench
