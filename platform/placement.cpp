#include "platform/placement.hpp"

#include <sched.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "platform/machine.hpp"

namespace parbench {

Pin parse_pin(const std::string& text) {
  if (text == "none") return Pin::none;
  if (text == "compact") return Pin::compact;
  if (text == "spread") return Pin::spread;
  throw std::invalid_argument("pin '" + text + "' is not none, compact or spread");
}

const char* to_string(Pin pin) {
  return pin == Pin::compact ? "compact" : pin == Pin::spread ? "spread" : "none";
}

namespace {

struct CpuPlace {
  int cpu, package, core, thread;  // thread: index among the core's hardware threads
};

int read_int(const std::string& path, int fallback) {
  const std::string text = read_first_line(path);
  return text.empty() ? fallback : std::stoi(text);
}

std::vector<CpuPlace> places() {
  std::vector<CpuPlace> out;
  for (int cpu : affinity_cpus()) {
    const std::string topo = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    out.push_back(
        {cpu, read_int(topo + "physical_package_id", 0), read_int(topo + "core_id", cpu), 0});
  }
  for (auto& p : out)
    for (const auto& q : out)
      if (q.package == p.package && q.core == p.core && q.cpu < p.cpu) ++p.thread;
  return out;
}

}  // namespace

std::vector<int> placement_order(Pin pin) {
  std::vector<CpuPlace> p = places();
  if (pin == Pin::compact)
    std::sort(p.begin(), p.end(), [](const CpuPlace& a, const CpuPlace& b) {
      return std::tie(a.package, a.core, a.thread) < std::tie(b.package, b.core, b.thread);
    });
  else {
    // Rank of each core within its package, so that packages alternate.
    std::vector<std::tuple<int, int, int, int>> keyed;
    for (const auto& c : p) {
      int rank = 0;
      for (const auto& q : p)
        if (q.package == c.package && q.thread == 0 && q.core < c.core) ++rank;
      keyed.emplace_back(c.thread, rank, c.package, c.cpu);
    }
    std::sort(keyed.begin(), keyed.end());
    for (std::size_t i = 0; i < keyed.size(); ++i) p[i].cpu = std::get<3>(keyed[i]);
  }
  std::vector<int> order;
  for (const auto& c : p) order.push_back(c.cpu);
  return order;
}

int cpu_for_worker(Pin pin, unsigned worker) {
  if (pin == Pin::none) return -1;
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
