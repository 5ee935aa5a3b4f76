// parbench: runs the selected kernels on every backend under Google Benchmark and writes the
// report. Bad input stops it, with one line on stderr and exit status 2, before anything runs.
#include <benchmark/benchmark.h>

#include <unistd.h>
#include <algorithm>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "benchmarks/calibration.hpp"
#include "benchmarks/context.hpp"
#include "benchmarks/options.hpp"
#include "benchmarks/report.hpp"
#include "benchmarks/suite.hpp"
#include "platform/machine.hpp"

namespace {

bool selected(const parbench::Config& c, const std::string& kernel) {
  return std::find(c.kernels.begin(), c.kernels.end(), kernel) != c.kernels.end();
}

// Google Benchmark's arguments: our defaults first, so that the user's --benchmark_* win.
std::vector<std::string> benchmark_arguments(const parbench::Config& c, const char* argv0) {
  std::vector<std::string> args = {argv0, "--benchmark_min_time=" + std::to_string(c.min_time),
                                   "--benchmark_repetitions=" + std::to_string(c.repetitions)};
  args.insert(args.end(), c.benchmark_flags.begin(), c.benchmark_flags.end());
  return args;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// Google Benchmark reports a bad --benchmark_* flag in several lines of its own; parbench's
// promise is one line, so its words are caught and the first one is passed on.
bool initialize_google_benchmark(int& argc, std::vector<char*>& argv) {
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  std::FILE* caught = std::tmpfile();
  if (saved < 0 || caught == nullptr) {
    benchmark::Initialize(&argc, argv.data());
    return !benchmark::ReportUnrecognizedArguments(argc, argv.data());
  }
  dup2(fileno(caught), STDERR_FILENO);
  benchmark::Initialize(&argc, argv.data());
  const bool bad = benchmark::ReportUnrecognizedArguments(argc, argv.data());
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::string text;
  std::rewind(caught);
  for (int c; (c = std::fgetc(caught)) != EOF;) text += static_cast<char>(c);
  std::fclose(caught);
  if (bad) {
    std::string why = first_line(text);
    if (auto at = why.find("error: "); at != std::string::npos) why = why.substr(at + 7);
    std::fprintf(stderr, "parbench: bad Google Benchmark flag: %s\n", why.c_str());
  } else if (!text.empty()) {
    std::fputs(text.c_str(), stderr);
  }
  return !bad;
}

// The read bandwidth of an array beyond the last-level cache: the ceiling of the run, measured
// before it and again after it on the same array, since on a shared machine it drifts.
std::optional<parbench::Calibration> measure_bandwidth(const parbench::SumData& data,
                                                       const char* when) {
  using namespace parbench;
  std::fprintf(stderr, "parbench: measuring read bandwidth %s...\n", when);
  try {
    const Calibration c = calibrate_read_bandwidth(data, usable_cpus());
    std::fprintf(stderr, "parbench: read bandwidth %.1f GB/s with %u threads, %.1f GB/s with one\n",
                 c.bytes_per_second / 1e9, c.threads, c.bytes_per_second_one_thread / 1e9);
    return c;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: calibration failed: %s\n", e.what());
    return std::nullopt;
  }
}

// A smaller array (tests, a quick look) measures a cache, not memory: said, not hidden.
void warn_if_calibration_fits_in_cache(std::size_t bytes) {
  const std::size_t llc = parbench::last_level_cache_bytes();
  if (llc != 0 && bytes <= llc)
    std::fprintf(stderr,
                 "parbench: warning: the calibration array (%zu KiB) fits in the last-level cache "
                 "(%zu KiB): the ceiling is the cache's bandwidth, not memory's\n",
                 bytes >> 10, llc >> 10);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace parbench;
  ParseOutcome parsed = parse_options(argc, argv);
  if (!parsed.config) return parsed.exit_status;
  const Config& config = *parsed.config;
  try {
    write_atomically(config.out, "");  // fails now, not after a long run, if it cannot be written
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: %s\n", e.what());
    return kBadInput;
  }

  Registry registry;
  if (selected(config, "launch")) register_launch_benchmarks(config, registry);
  if (selected(config, "sum")) register_sum_benchmarks(config, registry);
  register_task_benchmarks(config, registry);

  std::vector<std::string> args = benchmark_arguments(config, argv[0]);
  std::vector<char*> bargv;
  for (auto& a : args) bargv.push_back(a.data());
  int bargc = static_cast<int>(bargv.size());
  if (!initialize_google_benchmark(bargc, bargv)) return kBadInput;

  // Made once and kept for the measurement after the run (first touch of a large array is slow
  // on some virtual machines); forked workers never see it.
  std::unique_ptr<SumData> calibration_data;
  try {
    calibration_data = std::make_unique<SumData>(config.calibration_size, Mapping::private_pages);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "parbench: no memory for the calibration array\n");
    return 1;
  }
  calibration_data->keep_out_of_children();
  warn_if_calibration_fits_in_cache(config.calibration_size * sizeof(std::uint64_t));
  const auto before = measure_bandwidth(*calibration_data, "before the benchmarks");
  if (!before) return 1;

  std::vector<std::string> names;
  for (const auto& e : registry.entries()) names.push_back(e.name);
  Progress progress(count_selected(names, benchmark::GetBenchmarkFilter()), isatty(STDERR_FILENO));
  TeeReporter reporter(&progress);
  if (benchmark::RunSpecifiedBenchmarks(&reporter) == 0) {
    std::remove(config.out.c_str());
    std::fprintf(stderr, "parbench: no benchmark matches the selection\n");
    return kBadInput;
  }
  release_sum_data();  // its pool's workers and array must not share the machine with the reads
  if (!end_runtime_workers())
    std::fprintf(stderr, "parbench: warning: oneTBB's worker threads could not be ended\n");
  const auto after = measure_bandwidth(*calibration_data, "after the benchmarks");
  calibration_data.reset();
  if (!after) return 1;
  const Calibrations calibrations{*before, *after};
  if (std::abs(calibrations.drift()) > 0.1)
    std::fprintf(stderr,
                 "parbench: warning: the read bandwidth changed by %+.0f%% during the run; "
                 "fractions are of the higher\n",
                 100 * calibrations.drift());
  try {
    const auto report =
        build_report(reporter.json_text(), registry, run_context(config, calibrations, argc, argv));
    write_atomically(config.out, report.dump(2) + "\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: %s\n", e.what());
    return 1;
  }
  std::printf("parbench: report written to %s\n", config.out.c_str());
  return 0;
}
