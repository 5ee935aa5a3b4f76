#include "cli/session.hpp"

#include "backends/backend.hpp"
#include "report/context.hpp"
#include "schema/read.hpp"

namespace parbench {
namespace {

using schema::utf8_or_escaped;

// How the repetitions were decided and ordered (engine/rounds.hpp).
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

nlohmann::json session_context(const Config& config, const Calibration& before,
                               const std::string& report_path) {
  nlohmann::json arguments = nlohmann::json::array();
  std::string command = "parbench";
  for (const auto& a : config.arguments) {
    arguments.push_back(utf8_or_escaped(a));
    command += ' ';
    command += arguments.back().get<std::string>();
  }
  nlohmann::json context = machine_context();
  context.update({
      {"backends", registry_json()},
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
        {"reads_before", calibration_json(before)["reads"]}}},
      {"suite", config.suite},
      {"data_mapping", to_string(config.data_mapping)},
      {"pin", config.pin},
      {"job_timeout", config.job_timeout},
      {"measurement", measurement_settings(config)},
      {"command_line", command},
      {"arguments", arguments},
      {"report_path", utf8_or_escaped(report_path)},
  });
  // Each runtime underneath a backend, under one key so that no backend's name can overwrite
  // another fact of the context.
  nlohmann::json runtimes = nlohmann::json::object();
  for (const auto& b : backends())
    if (b.runtime) runtimes[b.name] = b.runtime();
  context["runtimes"] = std::move(runtimes);
  return context;
}

}  // namespace parbench
