// The subcommands that run nothing: --dry-run (what would run, and for how long here) and
// --show-placement (where each worker would run).
#include "cli/dry_run.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "engine/estimate.hpp"
#include "platform/machine.hpp"
#include "platform/placement.hpp"
#include "platform/topology.hpp"

namespace parbench {
namespace {

std::string duration_text(double seconds) {
  char text[32];
  if (seconds < 60)
    std::snprintf(text, sizeof text, "%.0f s", seconds);
  else if (seconds < 3600)
    std::snprintf(text, sizeof text, "%.0f min %02.0f s", std::floor(seconds / 60),
                  std::fmod(seconds, 60));
  else
    std::snprintf(text, sizeof text, "%.0f h %02.0f min", std::floor(seconds / 3600),
                  std::fmod(seconds / 60, 60));
  return text;
}

std::string counts_text(const std::vector<unsigned>& counts) {
  std::string text;
  for (unsigned c : counts) {
    if (!text.empty()) text += ',';
    text += std::to_string(c);
  }
  return text;
}

// The dry run's report: counts, worker counts, sizes and the estimate, a few lines.
std::string describe_dry_run(const RunEstimate& estimate, const Config& config,
                             const MachineRates& rates) {
  std::string text = "parbench: dry run: " + std::to_string(estimate.total) + " benchmarks (";
  bool first = true;
  for (const auto& [kernel, count] : estimate.benchmarks) {
    if (!first) text += ", ";
    text += kernel;
    text += ' ';
    text += std::to_string(count);
    first = false;
  }
  const Measurement& m = config.measurement;
  if (m.repetitions > 0) {
    text += ") x " + std::to_string(m.repetitions) + " repetitions\n";
  } else {
    char until[96];
    std::snprintf(until, sizeof until,
                  ") x %u to %u repetitions, until the median is known to +-%g%%\n",
                  m.min_repetitions, m.max_repetitions, 100 * m.target);
    text += until;
  }
  text += "  workers: sum ";
  text += counts_text(config.sum_workers);
  text += "; tasks ";
  text += counts_text(config.task_workers);
  text += "\n  sizes:";
  for (std::size_t n : config.sizes) {
    text += ' ';
    text += bytes_text(n * sizeof(std::uint64_t));
  }
  text += '\n';
  std::string span = duration_text(estimate.seconds);
  if (estimate.most_seconds > estimate.seconds * 1.01) {
    span += " (every benchmark decided with its fewest repetitions) to ";
    span += duration_text(estimate.most_seconds);
    span += " (every one to its budget)";
  }
  char rates_text[160];
  std::snprintf(rates_text, sizeof rates_text,
                " here (read bandwidth %.1f GB/s with %u CPUs, %.1f GB/s with one, measured now)\n",
                rates.read_bytes_per_second / 1e9, rates.cpus,
                rates.read_bytes_per_second_one_thread / 1e9);
  return text + "  estimate: " + span + rates_text;
}

// Every worker count the selection sweeps.
std::vector<unsigned> placement_counts(const Config& config) {
  std::vector<unsigned> counts = config.sum_workers;
  counts.insert(counts.end(), config.task_workers.begin(), config.task_workers.end());
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  return counts;
}

// The PUs workers may be placed on: this process's, or all a topology loaded from XML allows.
std::vector<int> placement_pus() {
  const auto& t = topology();
  return t.source == "this system" ? affinity_cpus() : t.allowed_pus;
}

}  // namespace

int dry_run(const Config& config, const BenchmarkList& benchmarks,
            const std::vector<std::string>& selected) {
  std::fprintf(stderr, "parbench: measuring read bandwidth for the estimate...\n");
  MachineRates rates;
  try {
    rates = measure_rates(config.calibration_size);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: calibration failed: %s\n", e.what());
    return 1;
  }
  const RunEstimate estimate =
      estimate_run(benchmarks, selected, config.measurement, config.min_time, rates);
  std::printf("%s", describe_dry_run(estimate, config, rates).c_str());
  if (topology().source != "this system")
    std::printf(
        "  (the topology is %s: the counts are for that machine, the time for running "
        "them here)\n",
        topology().source.c_str());
  return 0;
}

int show_placement(const Config& config) {
  std::printf("%s", describe_placement(parse_pin(config.pin), placement_counts(config), topology(),
                                       placement_pus())
                        .c_str());
  return 0;
}

}  // namespace parbench
