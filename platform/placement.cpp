#include "platform/placement.hpp"

#include <sched.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include "platform/machine.hpp"
#include "platform/topology.hpp"

namespace parbench {

Pin parse_pin(const std::string& text) {
  if (text == "none") return Pin::none;
  if (text == "compact") return Pin::compact;
  if (text == "spread") return Pin::spread;
  if (text == "numa") return Pin::numa;
  throw std::invalid_argument("pin '" + text + "' is not none, compact, spread or numa");
}

const char* to_string(Pin pin) {
  switch (pin) {
    case Pin::compact:
      return "compact";
    case Pin::spread:
      return "spread";
    case Pin::numa:
      return "numa";
    case Pin::none:
      break;
  }
  return "none";
}

namespace {

// A PU's place in the tree: at each level (package, NUMA node, L3 group, core, then the PU
// among its core's), the rank of its group among the groups of that level that lie under the
// same groups of every level above. A level hwloc does not report is one group that holds
// every PU, and a group that holds several of the level above (a NUMA node for the whole
// machine) is one group inside each of them: neither changes the ranks below it.
struct PuPlace {
  int pu;
  int package, node, l3, core, smt;
};

std::vector<PuPlace> places(const Topology& t, const std::vector<int>& usable) {
  const std::vector<Topology::Group>* const levels[] = {&t.packages, &t.numa_nodes, &t.l3_groups,
                                                        &t.cores};
  constexpr std::size_t kLevels = std::size(levels) + 1;  // and the PU itself
  // Each usable PU's path down the tree: its group at each level (-1 where it has none), then
  // its own position in the tree.
  std::vector<std::array<int, kLevels>> paths;
  std::vector<int> pus;
  for (std::size_t i = 0; i < t.pus.size(); ++i) {
    const int pu = t.pus[i];
    if (std::find(usable.begin(), usable.end(), pu) == usable.end()) continue;
    std::array<int, kLevels> path{};
    for (std::size_t level = 0; level + 1 < kLevels; ++level)
      path[level] = group_index(*levels[level], pu);
    path.back() = static_cast<int>(i);
    paths.push_back(path);
    pus.push_back(pu);
  }
  // The groups of each level under each path above it, in the tree's order.
  std::array<std::map<std::vector<int>, std::set<int>>, kLevels> below;
  for (const auto& path : paths)
    for (std::size_t level = 0; level < kLevels; ++level)
      below[level][std::vector<int>(path.begin(), path.begin() + level)].insert(path[level]);
  std::vector<PuPlace> out;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    std::array<int, kLevels> rank{};
    for (std::size_t level = 0; level < kLevels; ++level) {
      const auto& groups =
          below[level].at(std::vector<int>(paths[i].begin(), paths[i].begin() + level));
      rank[level] = static_cast<int>(std::distance(groups.begin(), groups.find(paths[i][level])));
    }
    out.push_back({pus[i], rank[0], rank[1], rank[2], rank[3], rank[4]});
  }
  return out;
}

}  // namespace

std::vector<int> placement_order(Pin pin, const Topology& t, const std::vector<int>& usable) {
  std::vector<PuPlace> p = places(t, usable);
  if (p.empty()) return usable;  // hwloc saw nothing: the kernel's list, in order
  auto compact = [](const PuPlace& a, const PuPlace& b) {
    return std::tie(a.package, a.node, a.l3, a.core, a.smt, a.pu) <
           std::tie(b.package, b.node, b.l3, b.core, b.smt, b.pu);
  };
  // Farthest apart first: packages, then nodes, then L3 groups, then cores; SMT siblings last.
  // A level the tree does not have ranks every PU 0 and leaves the order to the others.
  auto spread = [](const PuPlace& a, const PuPlace& b) {
    return std::tie(a.smt, a.core, a.l3, a.node, a.package, a.pu) <
           std::tie(b.smt, b.core, b.l3, b.node, b.package, b.pu);
  };
  if (pin == Pin::spread)
    std::stable_sort(p.begin(), p.end(), spread);
  else
    std::stable_sort(p.begin(), p.end(), compact);
  std::vector<int> order;
  for (const auto& c : p) order.push_back(c.pu);
  return order;
}

namespace {

// The PUs in compact order, each with its path of ranks down the tree.
std::vector<PuPlace> compact_places(const Topology& t, const std::vector<int>& usable) {
  std::vector<PuPlace> p = places(t, usable);
  std::stable_sort(p.begin(), p.end(), [](const PuPlace& a, const PuPlace& b) {
    return std::tie(a.package, a.node, a.l3, a.core, a.smt, a.pu) <
           std::tie(b.package, b.node, b.l3, b.core, b.smt, b.pu);
  });
  return p;
}

// Where the group at `level` (0 package ... 3 core, 4 PU) changes in the compact order: the
// indexes i at which place i starts a new group.
std::vector<std::size_t> boundaries(const std::vector<PuPlace>& p, int level) {
  auto key = [level](const PuPlace& x) {
    const std::array<int, 5> path = {x.package, x.node, x.l3, x.core, x.smt};
    return std::vector<int>(path.begin(), path.begin() + level + 1);
  };
  std::vector<std::size_t> at;
  for (std::size_t i = 1; i < p.size(); ++i)
    if (key(p[i]) != key(p[i - 1])) at.push_back(i);
  return at;
}

}  // namespace

Halves halves(const Topology& t, const std::vector<int>& usable) {
  const std::vector<PuPlace> p = compact_places(t, usable);
  Halves h;
  if (p.size() < 2) {
    h.first = h.second = p.empty() ? usable : std::vector<int>{p.front().pu};
    h.level = "PU";
    return h;
  }
  static const char* const kLevels[] = {"package", "NUMA node", "L3", "core", "PU"};
  const double middle = p.size() / 2.0, slack = p.size() / 8.0;
  std::size_t cut = p.size() / 2;
  for (int level = 0; level < 5; ++level) {
    std::optional<std::size_t> nearest;
    for (const std::size_t b : boundaries(p, level))
      if (!nearest || std::abs(b - middle) < std::abs(*nearest - middle)) nearest = b;
    if (nearest && (std::abs(*nearest - middle) <= std::max(slack, 0.5) || level >= 3)) {
      cut = *nearest;
      h.level = kLevels[level];
      break;
    }
  }
  for (std::size_t i = 0; i < p.size(); ++i) (i < cut ? h.first : h.second).push_back(p[i].pu);
  return h;
}

std::string describe_halves(const Topology& t, const std::vector<int>& usable) {
  const Halves h = halves(t, usable);
  return "  pinned sizing: job A on PUs " + cpu_list_string(h.first) + ", job B on PUs " +
         cpu_list_string(h.second) + " (cut between " + h.level + "s)\n";
}

std::vector<int> placement_order(Pin pin) {
  return placement_order(pin, topology(), affinity_cpus());
}

namespace {

std::string describe_numa_placement(const std::vector<unsigned>& worker_counts, const Topology& t,
                                    const std::vector<int>& usable) {
  const auto nodes = numa_node_cpus(t, usable);
  std::string text;
  for (unsigned n : worker_counts) {
    text += "  " + std::to_string(n) + (n == 1 ? " worker:" : " workers:");
    for (unsigned w = 0; w < n; ++w) {
      const auto& cpus = nodes[w % nodes.size()];
      const int node = cpus.empty() ? -1 : group_index(t.numa_nodes, cpus.front());
      text += w == 0 ? " w" : "; w";
      text += std::to_string(w);
      text += node < 0
                  ? std::string(" the whole machine")
                  : " node " + std::to_string(t.numa_nodes[static_cast<std::size_t>(node)].index);
      text += " (PUs " + cpu_list_string(cpus) + ")";
    }
    text += "\n";
  }
  return text;
}

}  // namespace

std::string describe_placement(Pin pin, const std::vector<unsigned>& worker_counts,
                               const Topology& t, const std::vector<int>& usable) {
  std::string text = std::string("placement ") + to_string(pin) + " on " + topology_summary(t) +
                     " (" + t.source + ")\n";
  if (pin == Pin::none) return text + "  none: the OS decides where each worker runs\n";
  if (pin == Pin::numa) return text + describe_numa_placement(worker_counts, t, usable);
  const std::vector<int> order = placement_order(pin, t, usable);
  auto where = [&](int pu) {
    std::string s = "PU " + std::to_string(pu);
    for (const auto& [name, groups] :
         {std::pair{" package ", &t.packages}, std::pair{" node ", &t.numa_nodes},
          std::pair{" L3 ", &t.l3_groups}, std::pair{" core ", &t.cores}})
      if (const int g = group_index(*groups, pu); g >= 0)
        s += name + std::to_string((*groups)[static_cast<std::size_t>(g)].index);
    return s;
  };
  for (unsigned n : worker_counts) {
    text += "  " + std::to_string(n) + (n == 1 ? " worker:" : " workers:");
    for (unsigned w = 0; w < n && !order.empty(); ++w)
      text += (w == 0 ? " " : "; ") + std::string("w") + std::to_string(w) + " " +
              where(order[w % order.size()]);
    text += "\n";
  }
  return text;
}

std::vector<std::vector<int>> numa_node_cpus(const Topology& t, const std::vector<int>& usable) {
  std::vector<std::vector<int>> nodes;
  std::vector<int> seen;
  for (int pu : placement_order(Pin::spread, t, usable)) {
    const int node = group_index(t.numa_nodes, pu);
    if (node < 0 || std::find(seen.begin(), seen.end(), node) != seen.end()) continue;
    seen.push_back(node);
    std::vector<int> cpus;
    for (int p : t.numa_nodes[static_cast<std::size_t>(node)].pus)
      if (std::find(usable.begin(), usable.end(), p) != usable.end()) cpus.push_back(p);
    nodes.push_back(std::move(cpus));
  }
  if (nodes.empty()) nodes.push_back(usable);  // hwloc saw no node: the whole machine is one
  return nodes;
}

std::vector<int> cpus_for_worker(Pin pin, unsigned worker) {
  if (pin == Pin::none) return {};
  if (pin == Pin::numa) {
    static const auto nodes = numa_node_cpus(topology(), affinity_cpus());
    return nodes[worker % nodes.size()];
  }
  return {cpu_for_worker(pin, worker)};
}

void pin_worker(Pin pin, unsigned worker) {
  const std::vector<int> cpus = cpus_for_worker(pin, worker);
  if (cpus.empty()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus)
    if (cpu >= 0 && cpu < CPU_SETSIZE) CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof(set), &set);
}

int cpu_for_worker(Pin pin, unsigned worker) {
  if (pin == Pin::none || pin == Pin::numa) return -1;
  static const std::vector<int> compact = placement_order(Pin::compact);
  static const std::vector<int> spread = placement_order(Pin::spread);
  const auto& order = pin == Pin::compact ? compact : spread;
  return order.empty() ? -1 : order[worker % order.size()];
}

void pin_calling_thread(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof(set), &set);
}

SavedAffinity::SavedAffinity() : cpus_(thread_affinity_cpus()) {}

SavedAffinity::~SavedAffinity() {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus_) CPU_SET(cpu, &set);
  if (!cpus_.empty()) sched_setaffinity(0, sizeof(set), &set);
}

int current_cpu() {
  return sched_getcpu();
}

}  // namespace parbench
