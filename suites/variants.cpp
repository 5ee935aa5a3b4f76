#include "suites/variants.hpp"

#include <algorithm>

namespace parbench {

std::string benchmark_name(const std::string& kernel, const BackendInfo& backend,
                           const std::string& launch, const std::string& policy,
                           const std::string& tail) {
  std::string name = kernel + "/" + backend.name;
  if (backend.launches.size() > 1) name += "/" + launch;
  return name + "/" + policy + "/" + tail;
}

std::vector<Variant> select_variants(const Config& config, KernelKind kernel,
                                     std::size_t default_grain) {
  std::vector<Variant> out;
  for (const auto& info : backends()) {
    if (std::find(config.backends.begin(), config.backends.end(), info.name) ==
        config.backends.end())
      continue;
    for (const auto& launch : info.launches) {
      if (!config.launches.empty() && info.launches.size() > 1 &&
          std::find(config.launches.begin(), config.launches.end(), launch) ==
              config.launches.end())
        continue;
      const auto& names = kernel == KernelKind::sum ? info.sum_policies : info.task_policies;
      std::vector<std::string> wanted = config.policies;
      if (wanted.empty())
        for (const auto& p : names) wanted.push_back(p.name);
      // The reference has one way to run; a policy filter never leaves it out.
      if (info.reference) wanted = {names.front().name};
      for (const auto& text : wanted) try {
          out.push_back({&info, launch, parse_policy(info, kernel, text, default_grain)});
        } catch (const std::invalid_argument&) {
          // Not one of this backend's policies: validation made sure some backend has it.
        }
    }
  }
  return out;
}

nlohmann::json placement_note(Pin pin, const std::vector<int>& cpus_seen) {
  return {{"pin", to_string(pin)}, {"cpu_of_worker", cpus_seen}};
}

void register_benchmarks(const Config& config, BenchmarkList& list) {
  const auto selected = [&](const char* kernel) {
    return std::find(config.kernels.begin(), config.kernels.end(), kernel) != config.kernels.end();
  };
  if (selected("launch")) register_launch_benchmarks(config, list);
  if (selected("sum")) register_sum_benchmarks(config, list);
  register_task_benchmarks(config, list);
}

}  // namespace parbench
