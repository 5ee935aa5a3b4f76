#pragma once
// What makes a result reproducible: the build, the runtimes, the machine and its settings.
#include <nlohmann/json.hpp>

#include "benchmarks/calibration.hpp"
#include "benchmarks/options.hpp"

namespace parbench {

// Keys added to Google Benchmark's "context" object.
nlohmann::json run_context(const Config& config, const Calibrations& calibration, int argc,
                           char** argv);

}  // namespace parbench
