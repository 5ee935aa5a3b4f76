#include "platform/machine.hpp"

#include <dlfcn.h>

#include "platform/topology.hpp"

#include <sched.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace parbench {

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::vector<int> thread_affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  return cpus;
}

namespace {

// CPUs a cgroup's own files allow, if they set a quota.
std::optional<double> quota_in(const std::string& dir) {
  std::istringstream v2(read_first_line(dir + "/cpu.max"));  // "max 100000" or "<quota> <period>"
  std::string quota;
  double period = 0;
  if (v2 >> quota >> period && quota != "max" && period > 0) return std::stod(quota) / period;
  const std::string q1 = read_first_line(dir + "/cpu.cfs_quota_us");
  const std::string p1 = read_first_line(dir + "/cpu.cfs_period_us");
  if (!q1.empty() && !p1.empty() && std::stol(q1) > 0 && std::stol(p1) > 0)
    return std::stod(q1) / std::stod(p1);
  return std::nullopt;
}

// The smallest quota from `base + path` up to `base`: a parent's quota holds for its children.
std::optional<double> quota_along(const std::string& base, std::string path) {
  std::optional<double> limit;
  for (;;) {
    if (const auto q = quota_in(base + path); q && (!limit || *q < *limit)) limit = q;
    if (path.empty() || path == "/") return limit;
    path.erase(path.find_last_of('/'));
  }
}

}  // namespace

std::optional<double> cgroup_cpu_limit_at(const std::string& self_cgroup, const std::string& root) {
  std::optional<double> limit;
  auto take = [&](std::optional<double> q) {
    if (q && (!limit || *q < *limit)) limit = q;
  };
  std::istringstream lines(self_cgroup);
  for (std::string line; std::getline(lines, line);) {
    // "hierarchy-id:controllers:path"; v2 has id 0 and no controllers.
    const auto first = line.find(':');
    const auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (controllers.empty()) {
      take(quota_along(root, path));
      take(quota_along(root + "/unified", path));  // v2 beside v1 (hybrid)
      continue;
    }
    std::istringstream names(controllers);
    for (std::string name; std::getline(names, name, ',');)
      if (name == "cpu") {
        take(quota_along(root + "/" + controllers, path));
        if (controllers != "cpu") take(quota_along(root + "/cpu", path));
      }
  }
  return limit;
}

std::optional<double> cgroup_cpu_limit() {
  std::ifstream in("/proc/self/cgroup");
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  return cgroup_cpu_limit_at(text, "/sys/fs/cgroup");
}

std::vector<int> affinity_cpus() {
  static const std::vector<int> at_start = thread_affinity_cpus();
  return at_start;
}

unsigned usable_cpus() {
  unsigned n = static_cast<unsigned>(affinity_cpus().size());
  if (auto limit = cgroup_cpu_limit()) n = std::min(n, static_cast<unsigned>(std::ceil(*limit)));
  return n == 0 ? 1 : n;
}

// Where hwloc finds no caches, glibc's sysconf reads their sizes from CPUID.
static std::vector<CacheLevel> cpuid_cache_levels() {
  std::vector<CacheLevel> levels;
  const std::pair<int, int> names[] = {{1, _SC_LEVEL1_DCACHE_SIZE},
                                       {2, _SC_LEVEL2_CACHE_SIZE},
                                       {3, _SC_LEVEL3_CACHE_SIZE},
                                       {4, _SC_LEVEL4_CACHE_SIZE}};
  for (const auto& [level, name] : names) {
    const long bytes = sysconf(name);
    if (bytes > 0)
      levels.push_back(
          {level, level == 1 ? "Data" : "Unified", static_cast<std::size_t>(bytes), "", "cpuid"});
  }
  return levels;
}

std::vector<CacheLevel> cache_levels() {
  const auto& from_hwloc = topology().caches;
  return from_hwloc.empty() ? cpuid_cache_levels() : from_hwloc;
}

std::size_t last_level_cache_bytes() {
  std::size_t largest = 0;
  for (const auto& c : cache_levels())
    if (c.type != "Instruction") largest = std::max(largest, c.bytes);
  return largest;
}

static std::size_t meminfo_bytes(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  std::string name;
  std::size_t kib = 0;
  std::string unit;
  while (in >> name >> kib >> unit)
    if (name == key + ":") return kib << 10;
  return 0;
}

std::size_t available_memory_bytes() {
  return meminfo_bytes("MemAvailable");
}
std::size_t total_memory_bytes() {
  return meminfo_bytes("MemTotal");
}

std::string cpu_list_string(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

std::string shared_object_of(void* symbol) {
  Dl_info info{};
  if (dladdr(symbol, &info) == 0 || info.dli_fname == nullptr) return "unknown";
  return info.dli_fname;
}

namespace {
const char* const kByteUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
}

CpuIdentity cpu_identity_of(const std::string& cpuinfo) {
  CpuIdentity id;
  std::istringstream in(cpuinfo);
  const auto number = [](const std::string& text) {
    try {
      return std::stoi(text);
    } catch (const std::exception&) {
      return -1;
    }
  };
  for (std::string line; std::getline(in, line) && !line.empty();) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    key.erase(key.find_last_not_of(" \t") + 1);
    const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "model name")
      id.model_name = value;
    else if (key == "vendor_id")
      id.vendor = value;
    else if (key == "cpu family")
      id.family = number(value);
    else if (key == "model")
      id.model = number(value);
    else if (key == "stepping")
      id.stepping = number(value);
    else if (key == "flags")
      id.hypervisor = (" " + value + " ").find(" hypervisor ") != std::string::npos;
  }
  if (id.model_name.empty()) id.model_name = "unknown";
  return id;
}

CpuIdentity cpu_identity() {
  std::ifstream in("/proc/cpuinfo");
  std::ostringstream text;
  text << in.rdbuf();
  return cpu_identity_of(text.str());
}

std::string bytes_text(std::size_t bytes) {
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.3g %s", value, kByteUnits[unit]);
  return text;
}

}  // namespace parbench
