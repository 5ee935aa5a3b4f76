#include "benchmarks/context.hpp"

#include <dlfcn.h>
#include <sys/utsname.h>
#include <tbb/version.h>

#include <fstream>
#include <thread>

#include "build_info.hpp"
#include "git_commit.hpp"
#include "platform/machine.hpp"
#ifdef PARBENCH_HAVE_OPENMP
#include <omp.h>
#endif

extern char** environ;

namespace parbench {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
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
      if (kv.rfind(prefix, 0) == 0) env[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
  }
  return env;
}

// The shared object a symbol comes from: tells libgomp from libomp at run time.
template <typename F>
std::string library_of(F* symbol) {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(symbol), &info) == 0 || info.dli_fname == nullptr)
    return "unknown";
  return info.dli_fname;
}

nlohmann::json openmp_facts() {
#ifdef PARBENCH_HAVE_OPENMP
  return {{"version", _OPENMP},
          {"runtime", library_of(&omp_get_num_threads)},
          {"max_threads", omp_get_max_threads()}};
#else
  return nullptr;
#endif
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

}  // namespace

nlohmann::json run_context(const Config& config, const Calibrations& calibration, int argc,
                           char** argv) {
  std::string command;
  for (int i = 0; i < argc; ++i) {
    if (i > 0) command += ' ';
    command += argv[i];
  }
  const auto limit = cgroup_cpu_limit();
  const std::string smt = read_first_line("/sys/devices/system/cpu/smt/active");
  const std::string governor =
      read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  return {
      {"parbench_version", build::version},
      {"git_commit", build::git_commit},
      {"compiler", build::compiler},
      {"cxx_flags", build::cxx_flags},
      {"build_type", build::build_type},
      {"march_native", build::march_native},
      {"sanitize", build::sanitize},
      {"openmp", openmp_facts()},
      {"tbb",
       {{"version", TBB_runtime_version()},
        {"interface_version", TBB_runtime_interface_version()},
        {"runtime", library_of(&TBB_runtime_version)}}},
      {"usable_cpus", usable_cpus()},
      {"affinity", cpu_list_string(affinity_cpus())},
      {"cgroup_cpu_limit", limit ? nlohmann::json(*limit) : nlohmann::json(nullptr)},
      {"online_cpus", std::thread::hardware_concurrency()},
      {"cpu_model", cpu_model()},
      {"smt", smt.empty() ? nlohmann::json(nullptr) : nlohmann::json(smt == "1")},
      {"cache_levels", cache_facts()},
      {"governor", governor.empty() ? "unknown" : governor},
      {"transparent_hugepages",
       selected_mode(read_first_line("/sys/kernel/mm/transparent_hugepage/enabled"))},
      {"kernel", kernel_release()},
      {"memory_bytes", total_memory_bytes()},
      {"env", runtime_environment()},
      {"read_bandwidth", calibration.ceiling()},
      {"read_bandwidth_one_thread", calibration.ceiling_one_thread()},
      {"calibration",
       {{"bytes", calibration.before.bytes},
        {"threads", calibration.before.threads},
        {"repetitions", calibration.before.repetitions},
        {"method",
         "best of N reads, each thread summing one contiguous block, before and after the "
         "benchmarks on the same array; read_bandwidth is the higher of the two, drift the "
         "change between them"},
        {"drift", calibration.drift()},
        {"before", calibration.before.bytes_per_second},
        {"after", calibration.after.bytes_per_second},
        {"before_one_thread", calibration.before.bytes_per_second_one_thread},
        {"after_one_thread", calibration.after.bytes_per_second_one_thread}}},
      {"suite", config.suite},
      {"data_mapping", to_string(config.data_mapping)},
      {"pin", config.pin},
      {"command_line", command},
  };
}

}  // namespace parbench
