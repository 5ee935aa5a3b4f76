#include "report/context.hpp"

#include <dlfcn.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "build_info.hpp"
#include "git_commit.hpp"
#include "platform/machine.hpp"
#include "platform/topology.hpp"
#include "schema/read.hpp"

extern char** environ;

namespace parbench {
namespace {

using schema::utf8_or_escaped;

// Family, model and stepping tell a generation apart where the name is only "AMD EPYC".
nlohmann::json cpu_json() {
  const CpuIdentity id = cpu_identity();
  return {{"vendor", utf8_or_escaped(id.vendor)},
          {"family", id.family},
          {"model", id.model},
          {"stepping", id.stepping},
          {"hypervisor", id.hypervisor}};
}

std::string kernel_release() {
  utsname u{};
  if (uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

// The bracketed choice in a sysfs mode file: "always [madvise] never" -> "madvise".
std::string selected_mode(const std::string& line) {
  const auto open = line.find('[');
  const auto close = line.find(']');
  if (open == std::string::npos || close == std::string::npos)
    return line.empty() ? "unknown" : line;
  return line.substr(open + 1, close - open - 1);
}

nlohmann::json runtime_environment() {
  nlohmann::json env = nlohmann::json::object();
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    for (const char* prefix : {"OMP_", "GOMP_", "KMP_", "TBB_", "PARBENCH_"})
      if (kv.rfind(prefix, 0) == 0)
        env[utf8_or_escaped(kv.substr(0, kv.find('=')))] =
            utf8_or_escaped(kv.substr(kv.find('=') + 1));
  }
  return env;
}

nlohmann::json cache_facts() {
  nlohmann::json caches = nlohmann::json::array();
  for (const auto& c : cache_levels())
    caches.push_back({{"level", c.level},
                      {"type", c.type},
                      {"bytes", c.bytes},
                      {"shared_cpu_list", c.shared_cpu_list},
                      {"source", c.source}});
  return caches;
}

nlohmann::json groups_json(const std::vector<Topology::Group>& groups, const char* bytes_key) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& g : groups)
    out.push_back({{"index", g.index}, {"pus", cpu_list_string(g.pus)}, {bytes_key, g.bytes}});
  return out;
}

nlohmann::json topology_json() {
  const Topology& t = topology();
  return {{"source", utf8_or_escaped(t.source)},
          {"summary", topology_summary(t)},
          {"packages", t.packages.size()},
          {"numa_nodes", groups_json(t.numa_nodes, "memory_bytes")},
          {"l3_groups", groups_json(t.l3_groups, "bytes")},
          {"l2_groups", t.l2_groups.size()},
          {"cores", t.cores.size()},
          {"pus", t.pus.size()},
          {"pus_per_core", t.pus_per_core()},
          {"allowed_pus", cpu_list_string(t.allowed_pus)}};
}

}  // namespace

nlohmann::json machine_context() {
  const auto limit = cgroup_cpu_limit();
  const std::string smt = read_first_line("/sys/devices/system/cpu/smt/active");
  const std::string governor =
      read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  nlohmann::json context = {
      {"parbench_version", build::version},
      {"march_native", build::march_native},
      {"sanitize", build::sanitize},
      {"topology", topology_json()},
      {"usable_cpus", usable_cpus()},
      {"affinity", cpu_list_string(affinity_cpus())},
      {"cgroup_cpu_limit", limit ? nlohmann::json(*limit) : nlohmann::json(nullptr)},
      {"online_cpus", std::thread::hardware_concurrency()},
      {"cpu", cpu_json()},
      {"smt", smt.empty() ? nlohmann::json(nullptr) : nlohmann::json(smt == "1")},
      {"cache_levels", cache_facts()},
      {"governor", governor.empty() ? "unknown" : utf8_or_escaped(governor)},
      {"transparent_hugepages",
       selected_mode(read_first_line("/sys/kernel/mm/transparent_hugepage/enabled"))},
      {"kernel", utf8_or_escaped(kernel_release())},
      {"memory_bytes", total_memory_bytes()},
      {"env", runtime_environment()},
  };
  context.update(identity_now());  // with host_name, the same as Google Benchmark's
  return context;
}

nlohmann::json identity_now() {
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  return {{"git_commit", build::git_commit},
          {"compiler", build::compiler},
          {"cxx_flags", build::cxx_flags},
          {"build_type", build::build_type},
          {"cpu_model", utf8_or_escaped(cpu_identity().model_name)},
          {"host_name", utf8_or_escaped(host)}};
}

nlohmann::json report_context(const std::vector<nlohmann::json>& sessions,
                              const nlohmann::json* after, const RunEnd& end) {
  nlohmann::json context = sessions.back().at("session");
  nlohmann::json& calibration = context["calibration"];
  double ceiling = 0, ceiling_one = 0;
  for (const auto& s : sessions) {
    const nlohmann::json c = s.at("session").value("calibration", nlohmann::json::object());
    ceiling = std::max(ceiling, c.value("before", 0.0));
    ceiling_one = std::max(ceiling_one, c.value("before_one_thread", 0.0));
  }
  if (after != nullptr) {
    const double read = after->value("bytes_per_second", 0.0);
    const double read_one = after->value("bytes_per_second_one_thread", 0.0);
    calibration["reads_after"] = after->value("reads", nlohmann::json::array());
    calibration["after"] = read;
    calibration["after_one_thread"] = read_one;
    const double before = calibration.value("before", 0.0);
    calibration["drift"] = before > 0 ? read / before - 1 : 0.0;
    ceiling = std::max(ceiling, read);
    ceiling_one = std::max(ceiling_one, read_one);
  } else {
    calibration["after"] = nullptr;
    calibration["drift"] = nullptr;
  }
  context["read_bandwidth"] = ceiling;
  context["read_bandwidth_one_thread"] = ceiling_one;
  context["complete"] = end.complete;
  if (!end.interrupted.empty()) context["interrupted"] = end.interrupted;
  if (!end.complete) context["not_run"] = end.not_run;
  if (sessions.size() > 1) {
    context["sessions"] = nlohmann::json::array();
    for (const auto& s : sessions) {
      nlohmann::json header = s;
      header.erase("selection");
      context["sessions"].push_back(std::move(header));
    }
  }
  return context;
}

}  // namespace parbench
