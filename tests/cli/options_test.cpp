// Bad input of every kind gets one clear line on stderr and exit status 2, before anything runs.
#include <gtest/gtest.h>

#include <algorithm>

#include "cli/options.hpp"
#include "platform/machine.hpp"
#include "schema/names.hpp"
#include "tests/process.hpp"

namespace parbench {
namespace {

using testing::run_program;

TEST(ParseCount, SuffixesArePowersOf1024) {
  EXPECT_EQ(parse_count("4096"), 4096u);
  EXPECT_EQ(parse_count("64K"), 65536u);
  EXPECT_EQ(parse_count("16m"), 16777216u);
  EXPECT_EQ(parse_count("1G"), 1073741824u);
  for (const char* bad :
       {"", "abc", "-1", "1.5M", "12Q", "1KB", "99999999999999999999", "17179869184G"})
    EXPECT_THROW(parse_count(bad), std::invalid_argument) << bad;
}

TEST(ParseSize, BytesWithABinarySuffixOrElements) {
  EXPECT_EQ(parse_size("64K"), 65536u);
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("512B"), 64u);
  EXPECT_EQ(parse_size("32KiB"), 4096u);
  EXPECT_EQ(parse_size("8MiB"), 1u << 20);
  EXPECT_EQ(parse_size("2GiB"), 1u << 28);
  EXPECT_EQ(parse_size("1TiB"), std::size_t{1} << 37);
  for (const char* bad : {"", "KiB", "12B", "1.5GiB", "1kib", "1 GiB", "2GB", "-8B",
                          "99999999999999999999TiB", "17179869184TiB"})
    EXPECT_THROW(parse_size(bad), std::invalid_argument) << bad;
}

TEST(BytesText, ExactForNamesAndShortForProse) {
  EXPECT_EQ(schema::exact_bytes_text(std::size_t{2} << 30), "2GiB");
  EXPECT_EQ(schema::exact_bytes_text(32768), "32KiB");
  EXPECT_EQ(schema::exact_bytes_text(8000), "8000B");
  EXPECT_EQ(schema::exact_bytes_text(3 << 20), "3MiB");
  EXPECT_EQ(bytes_text(25276063744u), "23.5 GiB");
  EXPECT_EQ(bytes_text(480u << 20), "480 MiB");
  EXPECT_EQ(bytes_text(100), "100 B");
}

TEST(DefaultSizes, GrowFromCacheToBeyondTheLastLevel) {
  const DefaultSizes d = default_sizes();
  EXPECT_LT(d.in_cache, d.in_llc);
  EXPECT_LT(d.in_llc, d.beyond_llc);
}

class BadFlag : public ::testing::TestWithParam<std::string> {};

TEST_P(BadFlag, ExitsTwoWithOneLine) {
  const auto o = run_program({PARBENCH_BINARY, GetParam(), "--out=/tmp/parbench-never.json"});
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_EQ(o.err.rfind("parbench: ", 0), 0u) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BadFlag,
    ::testing::Values("--backends=nope", "--backends=thread,nope", "--workers=0", "--workers=-1",
                      "--workers=two", "--workers=100000", "--sizes=abc", "--sizes=0",
                      "--sizes=1.5M", "--sizes=64G", "--sizes=", "--repetitions=0",
                      "--repetitions=x", "--policies=bogus", "--policies=dynamic:0",
                      "--policies=dynamic(4", "--launch=nope", "--kernels=nope", "--suite=huge",
                      "--min-time=0", "--data-mapping=weird", "--frobnicate", "positional",
                      "--benchmark_nonsense=1", "--benchmark_min_time=abc", "--calibration-size=0",
                      "--calibration-size=abc", "--calibration-size=64G", "--target=0",
                      "--target=abc", "--target=100%", "--max-repetitions=5",
                      "--benchmark-budget=0", "--run-budget=-1", "--interleave=maybe", "--seed=x",
                      "--benchmark_out=/tmp/x.json", "--benchmark_out_format=csv",
                      "--benchmark_repetitions=0"));

TEST(Cli, UnwritableReportPathIsRejectedBeforeRunning) {
  const auto o = run_program(
      {PARBENCH_BINARY, "--kernels=sum", "--backends=serial", "--out=/proc/parbench/report.json"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
}

TEST(Cli, HelpListsEveryFlagAndExitsZero) {
  const auto o = run_program({PARBENCH_BINARY, "--help"});
  EXPECT_EQ(o.status, 0);
  for (const char* flag : {"--kernels",
                           "--backends",
                           "--launch",
                           "--policies",
                           "--workers",
                           "--sizes",
                           "--calibration-size",
                           "--repetitions",
                           "--target",
                           "--max-repetitions",
                           "--benchmark-budget",
                           "--run-budget",
                           "--interleave",
                           "--seed",
                           "--min-time",
                           "--suite",
                           "--tasks",
                           "--unit",
                           "--pin",
                           "--data-mapping",
                           "--out",
                           "--table",
                           "--benchmark_"})
    EXPECT_NE(o.out.find(flag), std::string::npos) << flag;
}

// Repetitions until the target by default; a count, in parbench's flag or Google Benchmark's,
// runs exactly that many (the rounds repeat, so Google Benchmark is never given it).
TEST(Measurement, AdaptiveByDefaultExactWhenCounted) {
  auto parse = [](std::vector<std::string> args) {
    args.insert(args.begin(), "parbench");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return parse_options(static_cast<int>(argv.size()), argv.data()).config;
  };
  const auto adaptive = parse({"--target=1.5%", "--seed=3", "--interleave=no"});
  ASSERT_TRUE(adaptive);
  EXPECT_EQ(adaptive->measurement.repetitions, 0u);
  EXPECT_DOUBLE_EQ(adaptive->measurement.target, 0.015);
  EXPECT_EQ(adaptive->measurement.seed, 3u);
  EXPECT_FALSE(adaptive->measurement.interleave);
  const auto counted = parse({"--benchmark_repetitions=4", "--benchmark_min_time=0.01"});
  ASSERT_TRUE(counted);
  EXPECT_EQ(counted->measurement.repetitions, 4u);
  EXPECT_EQ(counted->benchmark_flags, std::vector<std::string>{"--benchmark_min_time=0.01"});
}

}  // namespace
}  // namespace parbench

#include "engine/progress.hpp"

namespace parbench {
namespace {

TEST(Progress, CountsWhatTheFilterSelects) {
  const std::vector<std::string> names = {"sum/thread/pool/block", "sum/tbb/auto",
                                          "sleep/thread/pool/queue"};
  EXPECT_EQ(count_selected(names, ""), 3u);
  EXPECT_EQ(count_selected(names, "all"), 3u);
  EXPECT_EQ(count_selected(names, "thread"), 2u);
  EXPECT_EQ(count_selected(names, "-thread"), 1u);
  EXPECT_EQ(count_selected(names, "^sum/.*/auto$"), 1u);
}

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(65), "1:05");
  EXPECT_EQ(format_duration(3723), "1:02:03");
}

TEST(Sweep, BoundedOnAnyMachineWithCoresCpusAndTwiceThemAlwaysIn) {
  EXPECT_EQ(sweep_counts(2, 2, 1), (std::vector<unsigned>{1, 2, 4}));
  EXPECT_EQ(sweep_counts(2, 1, 16), (std::vector<unsigned>{1, 2, 4, 8, 16}));
  EXPECT_EQ(sweep_counts(256, 128, 1),
            (std::vector<unsigned>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}));
  for (unsigned cpus : {3u, 96u, 192u, 1000u, 4096u}) {
    const auto w = sweep_counts(cpus, cpus / 2 + 1, 16);
    EXPECT_LE(w.size(), 12u) << cpus;
    for (unsigned must : {1u, cpus / 2 + 1, cpus, 2 * cpus})
      EXPECT_NE(std::find(w.begin(), w.end(), must), w.end()) << cpus << " lacks " << must;
    EXPECT_TRUE(std::is_sorted(w.begin(), w.end()));
  }
}

}  // namespace
}  // namespace parbench
