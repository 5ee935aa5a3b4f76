#include "platform/topology.hpp"

#include <hwloc.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "platform/machine.hpp"

namespace parbench {
namespace {

using TopologyHandle = std::unique_ptr<hwloc_topology, decltype(&hwloc_topology_destroy)>;

std::vector<int> indexes_of(hwloc_const_bitmap_t set) {
  std::vector<int> pus;
  if (set == nullptr) return pus;
  for (int i = hwloc_bitmap_first(set); i >= 0; i = hwloc_bitmap_next(set, i)) pus.push_back(i);
  return pus;
}

std::vector<Topology::Group> groups_of(hwloc_topology_t t, hwloc_obj_type_t type) {
  std::vector<Topology::Group> groups;
  const int n = hwloc_get_nbobjs_by_type(t, type);
  for (int i = 0; i < n; ++i) {
    hwloc_obj_t obj = hwloc_get_obj_by_type(t, type, static_cast<unsigned>(i));
    Topology::Group g;
    g.index = type == HWLOC_OBJ_NUMANODE ? obj->os_index : obj->logical_index;
    g.pus = indexes_of(obj->cpuset);
    if (type == HWLOC_OBJ_NUMANODE)
      g.bytes = static_cast<std::size_t>(obj->attr->numanode.local_memory);
    else if (hwloc_obj_type_is_cache(type))
      g.bytes = static_cast<std::size_t>(obj->attr->cache.size);
    groups.push_back(std::move(g));
  }
  return groups;
}

const char* cache_type(hwloc_obj_cache_type_e type) {
  return type == HWLOC_OBJ_CACHE_DATA          ? "Data"
         : type == HWLOC_OBJ_CACHE_INSTRUCTION ? "Instruction"
                                               : "Unified";
}

// The caches above the first PU, from L1 up.
std::vector<CacheLevel> caches_above_first_pu(hwloc_topology_t t) {
  std::vector<CacheLevel> levels;
  hwloc_obj_t pu = hwloc_get_obj_by_type(t, HWLOC_OBJ_PU, 0);
  for (hwloc_obj_t obj = pu != nullptr ? pu->parent : nullptr; obj != nullptr; obj = obj->parent) {
    if (!hwloc_obj_type_is_cache(obj->type)) continue;
    levels.push_back({static_cast<int>(obj->attr->cache.depth), cache_type(obj->attr->cache.type),
                      static_cast<std::size_t>(obj->attr->cache.size),
                      cpu_list_string(indexes_of(obj->cpuset)), "hwloc"});
  }
  return levels;
}

std::string counted(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

int group_index(const std::vector<Topology::Group>& groups, int pu) {
  for (std::size_t i = 0; i < groups.size(); ++i)
    if (std::find(groups[i].pus.begin(), groups[i].pus.end(), pu) != groups[i].pus.end())
      return static_cast<int>(i);
  return -1;
}

unsigned Topology::pus_per_core() const {
  return cores.empty() ? 1 : static_cast<unsigned>(pus.size() / cores.size());
}

Topology load_topology(const std::string& xml_file) {
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) throw std::runtime_error("hwloc cannot start");
  TopologyHandle handle(raw, hwloc_topology_destroy);
  if (!xml_file.empty() && hwloc_topology_set_xml(raw, xml_file.c_str()) != 0)
    throw std::runtime_error("hwloc cannot read the topology " + xml_file);
  if (hwloc_topology_load(raw) != 0) throw std::runtime_error("hwloc cannot load the topology");
  Topology t;
  t.packages = groups_of(raw, HWLOC_OBJ_PACKAGE);
  t.numa_nodes = groups_of(raw, HWLOC_OBJ_NUMANODE);
  t.l3_groups = groups_of(raw, HWLOC_OBJ_L3CACHE);
  t.l2_groups = groups_of(raw, HWLOC_OBJ_L2CACHE);
  t.cores = groups_of(raw, HWLOC_OBJ_CORE);
  for (const auto& pu : groups_of(raw, HWLOC_OBJ_PU)) t.pus.push_back(pu.pus.front());
  t.allowed_pus = indexes_of(hwloc_topology_get_allowed_cpuset(raw));
  t.caches = caches_above_first_pu(raw);
  const char* env_xml = std::getenv("HWLOC_XMLFILE");
  t.source = !xml_file.empty()                        ? xml_file
             : env_xml != nullptr && *env_xml != '\0' ? env_xml
                                                      : "this system";
  return t;
}

const Topology& topology() {
  static const Topology loaded = [] {
    try {
      return load_topology();
    } catch (const std::exception&) {
      return Topology{};  // hwloc has nothing: callers fall back to what the kernel says
    }
  }();
  return loaded;
}

std::string topology_summary(const Topology& t) {
  std::string s = counted(t.packages.size(), "package", "packages") + ", " +
                  counted(t.numa_nodes.size(), "NUMA node", "NUMA nodes");
  std::size_t memory = 0;
  for (const auto& n : t.numa_nodes) memory += n.bytes;
  if (memory > 0) s += " (" + bytes_text(memory) + ")";
  s += ", " + counted(t.l3_groups.size(), "L3", "L3");
  if (!t.l3_groups.empty()) s += " (" + bytes_text(t.l3_groups.front().bytes) + " each)";
  s += ", " + counted(t.cores.size(), "core", "cores") + ", " + counted(t.pus.size(), "PU", "PUs") +
       " (SMT " + std::to_string(t.pus_per_core()) + "), " + std::to_string(t.allowed_pus.size()) +
       " allowed";
  return s;
}

int numa_node_of_pu(const Topology& t, int pu) {
  const int i = group_index(t.numa_nodes, pu);
  return i < 0 ? -1 : static_cast<int>(t.numa_nodes[static_cast<std::size_t>(i)].index);
}

std::vector<int> memory_nodes_of(const void* address, std::size_t bytes) {
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) throw std::runtime_error("hwloc_topology_init failed");
  TopologyHandle t(raw, hwloc_topology_destroy);
  if (hwloc_topology_load(raw) != 0) throw std::runtime_error("hwloc_topology_load failed");
  using BitmapHandle = std::unique_ptr<hwloc_bitmap_s, decltype(&hwloc_bitmap_free)>;
  BitmapHandle nodes(hwloc_bitmap_alloc(), hwloc_bitmap_free);
  if (hwloc_get_area_memlocation(raw, address, bytes, nodes.get(), HWLOC_MEMBIND_BYNODESET) != 0)
    throw std::runtime_error("this system does not say where memory lies");
  return indexes_of(nodes.get());
}

}  // namespace parbench
