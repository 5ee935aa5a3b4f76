#pragma once
// What this machine offers the process: the CPUs it may use, its caches and its memory.
// Read from the kernel (affinity, cgroup, /proc) and hwloc, never assumed; caches fall back to
// CPUID through glibc where hwloc finds none.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace parbench {

struct CacheLevel {
  int level = 0;
  std::string type;  // Data, Instruction, Unified
  std::size_t bytes = 0;
  std::string shared_cpu_list;  // "" when the source does not say
  std::string source;           // hwloc, or cpuid (glibc's sysconf) where hwloc has none
};

// CPUs in this process's affinity mask as it was at the first call (made at start-up, before
// any backend pins a thread); thread_affinity_cpus() reads the calling thread's mask now.
std::vector<int> affinity_cpus();
std::vector<int> thread_affinity_cpus();
std::optional<double> cgroup_cpu_limit();  // cgroup CPU quota in CPUs, if one is set
// The same from `self_cgroup` (the text of /proc/self/cgroup) and the cgroup file systems
// mounted under `root`: the smallest quota on the way from the process's own cgroup up to the
// root, v2 (cpu.max) or v1 (cpu.cfs_quota_us over cpu.cfs_period_us).
std::optional<double> cgroup_cpu_limit_at(const std::string& self_cgroup, const std::string& root);
unsigned usable_cpus();                  // min(affinity mask, ceil(cgroup quota)), >= 1
std::vector<CacheLevel> cache_levels();  // as seen from CPU 0; empty if nothing says
std::size_t last_level_cache_bytes();    // largest data/unified cache, 0 if unknown
std::size_t available_memory_bytes();    // MemAvailable
std::size_t total_memory_bytes();        // MemTotal

// The processor as /proc/cpuinfo names it. Virtual machines often give only a family name
// ("AMD EPYC"), so the identity keeps the numbers that tell generations apart.
struct CpuIdentity {
  std::string model_name;  // "unknown" when /proc/cpuinfo has none
  std::string vendor;      // "GenuineIntel", "AuthenticAMD", "" when not said
  int family = -1, model = -1, stepping = -1;
  bool hypervisor = false;  // the "hypervisor" CPU flag: running in a virtual machine
};
CpuIdentity cpu_identity();
// The same from the text of /proc/cpuinfo (its first processor's block).
CpuIdentity cpu_identity_of(const std::string& cpuinfo);

// 25276063744 -> "23.5 GiB": three significant digits in the largest binary unit it reaches.
std::string bytes_text(std::size_t bytes);

// First line of a file, or "" when it cannot be read (many sysfs files are optional).
std::string read_first_line(const std::string& path);
// "0-3,8" style list of CPU numbers.
std::string cpu_list_string(const std::vector<int>& cpus);

// The shared object (its path) that holds `symbol`: which runtime library was really loaded.
std::string shared_object_of(void* symbol);

}  // namespace parbench
