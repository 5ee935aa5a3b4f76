// The mpi backend's launcher hooks and flags, in every build: with Open MPI they start, serve
// and end ranks; without it, they say how to get it.
#include <charconv>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "backends/mpi/mpi.hpp"

namespace parbench {
namespace {

unsigned threads_per_rank(const RunSettings& settings) {
  const auto it = settings.flags.find("--threads-per-rank");
  if (it == settings.flags.end()) return 1;
  unsigned n = 0;
  const std::string& text = it->second;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > kMostWorkers)
    throw std::invalid_argument("--threads-per-rank must be between 1 and " +
                                std::to_string(kMostWorkers));
  return n;
}

}  // namespace

Launcher mpi_launcher() {
  return {
      .workers_flag = {"--ranks",
                       "Start parbench under mpirun with this many ranks on this host, the mpi "
                       "backend's workers (default with --backends=mpi: the most workers asked "
                       "for; under mpirun: the ranks it started)"},
      .flags = {{"--threads-per-rank",
                 "mpi: OpenMP threads inside each rank for its share of a sum (MPI+OpenMP); "
                 "recorded as params.threads_per_rank (default: 1)"}},
      .serve = serve_if_mpi_rank,
      .hold = [] { return std::shared_ptr<void>(std::make_shared<MpiRun>()); },
      .configure =
          [](const RunSettings& settings) {
            if (const auto missing = mpi_missing_help(); missing && settings.flags.count("--ranks"))
              throw std::invalid_argument("--ranks: " + *missing);
            configure_mpi(threads_per_rank(settings), settings.job_timeout);
          },
      .launched = started_by_mpirun,
      .most_workers = mpi_world_size,
      .relaunch = run_under_mpirun,
  };
}

}  // namespace parbench
