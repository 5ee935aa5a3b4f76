#pragma once
// The subcommands that run nothing: --dry-run and --show-placement.
#include <string>
#include <vector>

#include "engine/benchmark_list.hpp"
#include "suites/config.hpp"

namespace parbench {

// Says what the selection would run and how long it would take here, and runs nothing.
int dry_run(const Config& config, const BenchmarkList& benchmarks,
            const std::vector<std::string>& selected);

// Says where each worker of every count the selection sweeps would run, and runs nothing.
int show_placement(const Config& config);

}  // namespace parbench
