#pragma once
// What makes a result reproducible: the build, the machine and its settings, and how the run
// ended.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace parbench {

// The build and the machine as this process sees them: topology, CPUs, caches, governor,
// memory, the runtimes' environment variables, and identity_now().
nlohmann::json machine_context();

// What must be the same for a run to be resumed: build (commit, compiler, flags) and machine.
nlohmann::json identity_now();

// How a run ended, for the report's context.
struct RunEnd {
  bool complete = true;              // every selected benchmark is in the report
  std::string interrupted;           // "SIGINT", "timeout", ... or "" when it was not
  std::vector<std::string> not_run;  // selected benchmarks missing from the report
};

// The report's context: the last session's (sessions are journal headers), the closing
// calibration if there was one ({bytes_per_second, bytes_per_second_one_thread, reads}), the
// highest read bandwidth of all as the ceiling, how the run ended, and every session when it
// was resumed.
nlohmann::json report_context(const std::vector<nlohmann::json>& sessions,
                              const nlohmann::json* after, const RunEnd& end);

}  // namespace parbench
