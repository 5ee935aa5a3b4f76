#pragma once
// What makes a result reproducible: the build, the runtimes, the machine and its settings.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "benchmarks/calibration.hpp"
#include "benchmarks/options.hpp"

namespace parbench {

// parbench's keys of a session's context (Google Benchmark's come beside them): the build, the
// machine, the calibration before the benchmarks, and the arguments that --resume reuses.
nlohmann::json run_context(const Config& config, const Calibration& before,
                           const std::string& report_path);

// What must be the same for a run to be resumed: build (commit, compiler, flags) and machine.
nlohmann::json identity_now();

// The registry's facts (context.backends), so that readers of a report need no table of their
// own.
nlohmann::json backends_json();

// How a run ended, for the report's context.
struct RunEnd {
  bool complete = true;              // every selected benchmark is in the report
  std::string interrupted;           // "SIGINT", "timeout", ... or "" when it was not
  std::vector<std::string> not_run;  // selected benchmarks missing from the report
};

// The report's context: the last session's (sessions are journal headers), the closing
// calibration if there was one, the highest read bandwidth of all as the ceiling, how the run
// ended, and every session when it was resumed.
nlohmann::json report_context(const std::vector<nlohmann::json>& sessions,
                              const std::optional<Calibration>& after, const RunEnd& end);

}  // namespace parbench
