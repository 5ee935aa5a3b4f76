#include "benchmarks/context.hpp"

#include <dlfcn.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "backends/backend.hpp"
#include "benchmarks/report.hpp"
#include "build_info.hpp"
#include "git_commit.hpp"
#include "platform/machine.hpp"
#include "platform/topology.hpp"

extern char** environ;

namespace parbench {
namespace {

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

nlohmann::json policies_json(const std::vector<PolicyName>& policies) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : policies)
    out.push_back({{"name", p.name},
                   {"split", to_string(p.split)},
                   {"takes_grain", p.takes_grain},
                   {"longest_first", p.longest_first}});
  return out;
}

}  // namespace

nlohmann::json backends_json() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& b : backends())
    out.push_back({{"name", b.name},
                   {"launches", b.launches},
                   {"reference", b.reference},
                   {"reports_children_cpu", b.reports_children_cpu},
                   {"timed_starts", b.timed_starts},
                   {"workers_per_job", b.workers_per_job},
                   {"sum_policies", policies_json(b.sum_policies)},
                   {"task_policies", policies_json(b.task_policies)}});
  return out;
}

namespace {

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

// Every read of the calibration array, with why a read was not believed.
nlohmann::json reads_json(const Calibration& c) {
  nlohmann::json reads = nlohmann::json::array();
  for (const auto& r : c.reads) {
    nlohmann::json read = {{"bytes_per_second", r.bytes_per_second},
                           {"bytes_per_second_one_thread", r.bytes_per_second_one_thread}};
    if (!r.doubt.empty()) read["read_again"] = r.doubt;
    reads.push_back(std::move(read));
  }
  return reads;
}

// How the repetitions were decided and ordered (benchmarks/rounds.hpp).
nlohmann::json measurement_settings(const Config& config) {
  const Measurement& m = config.measurement;
  nlohmann::json settings = {{"min_time", config.min_time},
                             {"interleaved", m.interleave},
                             {"order_seed", m.seed},
                             {"settle",
                              "before each repetition, until no thread of the process "
                              "uses a CPU (at most 0.1 s)"}};
  if (m.repetitions > 0) {
    settings["repetitions"] = m.repetitions;
    return settings;
  }
  settings.update({{"target", m.target},
                   {"confidence", m.confidence},
                   {"interval", "order statistics of the repetitions (sign test)"},
                   {"min_repetitions", m.min_repetitions},
                   {"max_repetitions", m.max_repetitions},
                   {"benchmark_budget", m.benchmark_budget},
                   {"run_budget", m.run_budget}});
  return settings;
}

}  // namespace

nlohmann::json run_context(const Config& config, const Calibration& before,
                           const std::string& report_path) {
  nlohmann::json arguments = nlohmann::json::array();
  std::string command = "parbench";
  for (const auto& a : config.arguments) {
    arguments.push_back(utf8_or_escaped(a));
    command += ' ';
    command += arguments.back().get<std::string>();
  }
  const auto limit = cgroup_cpu_limit();
  const std::string smt = read_first_line("/sys/devices/system/cpu/smt/active");
  const std::string governor =
      read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  nlohmann::json context = {
      {"parbench_version", build::version},
      {"march_native", build::march_native},
      {"sanitize", build::sanitize},
      {"backends", backends_json()},
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
      {"read_bandwidth", before.bytes_per_second},
      {"read_bandwidth_one_thread", before.bytes_per_second_one_thread},
      {"calibration",
       {{"bytes", before.bytes},
        {"threads", before.threads},
        {"repetitions", before.repetitions},
        {"method",
         "best of N reads, each thread summing one contiguous block, before and after the "
         "benchmarks on the same array; before, reads go on until one agrees within 10% with the "
         "one before it (and several threads are not slower than one); after, until one is "
         "within 10% of before, up to 4 reads each (all kept); read_bandwidth is the highest "
         "of them, drift the change between before and after"},
        {"before", before.bytes_per_second},
        {"before_one_thread", before.bytes_per_second_one_thread},
        {"reads_before", reads_json(before)}}},
      {"suite", config.suite},
      {"data_mapping", to_string(config.data_mapping)},
      {"pin", config.pin},
      {"job_timeout", config.job_timeout},
      {"measurement", measurement_settings(config)},
      {"command_line", command},
      {"arguments", arguments},
      {"report_path", utf8_or_escaped(report_path)},
  };
  context.update(identity_now());  // with host_name, the same as Google Benchmark's
  // Each runtime underneath a backend, under the backend's name ("openmp", "tbb").
  for (const auto& b : backends())
    if (b.runtime) context[b.name] = b.runtime();
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
                              const std::optional<Calibration>& after, const RunEnd& end) {
  nlohmann::json context = sessions.back().at("session");
  nlohmann::json& calibration = context["calibration"];
  double ceiling = 0, ceiling_one = 0;
  for (const auto& s : sessions) {
    const nlohmann::json c = s.at("session").value("calibration", nlohmann::json::object());
    ceiling = std::max(ceiling, c.value("before", 0.0));
    ceiling_one = std::max(ceiling_one, c.value("before_one_thread", 0.0));
  }
  if (after) {
    calibration["reads_after"] = reads_json(*after);
    calibration["after"] = after->bytes_per_second;
    calibration["after_one_thread"] = after->bytes_per_second_one_thread;
    const double before = calibration.value("before", 0.0);
    calibration["drift"] = before > 0 ? after->bytes_per_second / before - 1 : 0.0;
    ceiling = std::max(ceiling, after->bytes_per_second);
    ceiling_one = std::max(ceiling_one, after->bytes_per_second_one_thread);
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
