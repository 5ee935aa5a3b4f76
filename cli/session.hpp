#pragma once
// A session's context: the machine's facts (report/context.hpp), the registry of backends and
// their runtimes, the calibration before the benchmarks, and the run's own settings and
// arguments, which --resume reuses.
#include <nlohmann/json.hpp>
#include <string>

#include "engine/calibration.hpp"
#include "suites/config.hpp"

namespace parbench {

nlohmann::json session_context(const Config& config, const Calibration& before,
                               const std::string& report_path);

}  // namespace parbench
