// parbench-compare's command line: outputs, exit statuses, bad input. The program itself is
// run where the exit status and stderr matter; run() in-process elsewhere.
#include "tools/compare/cli.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "schema/report.hpp"
#include "tests/compare/files.hpp"
#include "tests/process.hpp"
#include "tools/compare/patterns.hpp"

namespace parbench::compare {
namespace {

const std::string kFixtures = PARBENCH_COMPARE_FIXTURES;
const std::string kBinary = PARBENCH_COMPARE_BINARY;

struct Result {
  int status;
  std::string out, err;
};

Result run_in_process(std::vector<std::string> args) {
  args.insert(args.begin(), "parbench-compare");
  for (auto& a : args)
    if (a.size() > 5 && a.compare(a.size() - 5, 5, ".json") == 0 && a[0] != '/' &&
        a.find('=') == std::string::npos)
      a = kFixtures + "/" + a;
  std::ostringstream out, err;
  const int status = run(args, out, err);
  return {status, out.str(), err.str()};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string line_with(const std::string& text, const std::string& part) {
  const auto at = text.find(part);
  if (at == std::string::npos) return "";
  const auto start = text.rfind('\n', at) + 1;
  return text.substr(start, text.find('\n', at) - start);
}

TEST(Cli, TextComparisonOfTwoParbenchReports) {
  const Result r = run_in_process({"parbench_a.json", "parbench_b.json"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty());
  EXPECT_TRUE(contains(line_with(r.out, "sum fork pool block"), "+20.0%"));
  EXPECT_TRUE(contains(line_with(r.out, "sum fork pool block"), "0.008"));  // exact: 2 / C(10, 5)
  EXPECT_TRUE(contains(line_with(r.out, "sum fork pool block"), "slower"));
  EXPECT_TRUE(contains(line_with(r.out, "sum serial inline"), "same"));
  EXPECT_TRUE(contains(line_with(r.out, "sum openmp team"), "error"));
  EXPECT_TRUE(contains(r.out, "worker 1 died (signal 9)"));
  // Runs in one report only are counted, not listed.
  EXPECT_FALSE(contains(r.out, "sum tbb arena"));
  EXPECT_TRUE(contains(r.out,
                       "1 run only in parbench_a.json, 1 only in parbench_b.json "
                       "(--show-unmatched lists them)."));
  EXPECT_TRUE(contains(r.out, "geomean (4 runs in all)"));
  EXPECT_TRUE(contains(r.out, "fewer than 9 repetitions"));
  EXPECT_FALSE(contains(r.out, "\033["));  // not a terminal: no colour
}

TEST(Cli, ColourOnlyWhenAsked) {
  const Result r = run_in_process({"parbench_a.json", "parbench_b.json", "--color=always"});
  EXPECT_TRUE(contains(r.out, "\033[31m"));
}

TEST(Cli, FailAboveFlagsTheSignificantRegression) {
  Result r = run_in_process({"parbench_a.json", "parbench_b.json", "--fail-above", "10"});
  EXPECT_EQ(r.status, kRegression);
  EXPECT_TRUE(contains(r.out, "1 regression past the threshold"));
  r = run_in_process({"parbench_a.json", "parbench_b.json", "--fail-above", "25"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(contains(r.out, "No regression"));
  // Without --fail-above or --thresholds a regression is shown, not failed.
  EXPECT_EQ(run_in_process({"parbench_a.json", "parbench_b.json"}).status, 0);
}

TEST(Cli, ThresholdsFile) {
  // fork has 25% in the file: its 20% passes; everything else would fail past 10%.
  Result r = run_in_process(
      {"parbench_a.json", "parbench_b.json", "--thresholds", kFixtures + "/thresholds.json"});
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(contains(line_with(r.out, "sum fork pool block"), "same"));
  // With cpu_time, same story; with a looser fork rule gone, the regression fails.
  r = run_in_process({"parbench_a.json", "parbench_b.json", "--thresholds",
                      kFixtures + "/thresholds.json", "--filter", "backend=fork"});
  EXPECT_EQ(r.status, 0);
  r = run_in_process(
      {"gbench_a.json", "gbench_b.json", "--thresholds", kFixtures + "/thresholds.json"});
  EXPECT_EQ(r.status, kRegression);  // BM_copy/64 +50% past the default 10%, too few to test
  EXPECT_TRUE(contains(r.out, "too few repetitions for the U test"));
}

TEST(Cli, PlainGoogleBenchmarkAndUnitConversion) {
  const Result r = run_in_process({"gbench_a.json", "gbench_b.json"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(line_with(r.out, "BM_copy/8 "), "same"));
  EXPECT_TRUE(contains(line_with(r.out, "BM_copy/64"), "+50.0%"));
  EXPECT_TRUE(contains(r.out, "1 run only in gbench_b.json (--show-unmatched lists them)."));
}

TEST(Cli, MarkdownOutput) {
  const Result r = run_in_process({"parbench_a.json", "parbench_b.json", "--format=markdown"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(
      contains(r.out, "| Benchmark | parbench_a.json | parbench_b.json | change | p | verdict |"));
  EXPECT_TRUE(contains(r.out, "|---|---:|---:|---:|---:|---|"));
  EXPECT_TRUE(contains(
      r.out,
      "| sum fork pool block workers:2 bytes:8MiB | 60 us | 72 us | +20.0% | 0.008 | slower |"));
  EXPECT_TRUE(contains(r.out, "| **geomean (4 runs in all)** |"));
  EXPECT_TRUE(contains(r.out, "- error in parbench_b.json"));
}

TEST(Cli, JsonOutput) {
  const Result r =
      run_in_process({"parbench_a.json", "parbench_b.json", "--format=json", "--fail-above=10"});
  EXPECT_EQ(r.status, kRegression);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["exit_status"], 1);
  EXPECT_EQ(j["regressions"], 1);
  const auto& table = j["tables"][0];
  EXPECT_EQ(table["metric"]["field"], "real_time");
  EXPECT_EQ(table["metric"]["unit"], "s");
  bool saw_fork = false;
  for (const auto& row : table["rows"])
    if (row["params"].is_object() && row["params"]["backend"] == "fork") {
      saw_fork = true;
      EXPECT_EQ(row["changes"][0]["verdict"], "slower");
      EXPECT_EQ(row["changes"][0]["test"], "u-test");
      EXPECT_NEAR(row["changes"][0]["ratio"].get<double>(), 1.2, 1e-12);
      EXPECT_EQ(row["values"][1]["repetitions"].size(), 5u);
      EXPECT_NEAR(row["values"][1]["value"].get<double>(), 72e-6, 1e-15);
    }
  EXPECT_TRUE(saw_fork);
  EXPECT_EQ(table["geomean"]["runs"], 4);
}

TEST(Cli, MoreThanTwoReportsOneColumnEach) {
  const Result r = run_in_process({"parbench_a.json", "parbench_b.json", "parbench_fast.json"});
  EXPECT_EQ(r.status, 0);
  const std::string header = line_with(r.out, "Benchmark");
  EXPECT_TRUE(contains(header, "parbench_a.json"));
  EXPECT_TRUE(contains(header, "parbench_b.json"));
  EXPECT_TRUE(contains(header, "parbench_fast.json"));
  EXPECT_TRUE(contains(line_with(r.out, "sum tbb arena"), "-50.0%"));
  EXPECT_TRUE(contains(line_with(r.out, "sum tbb arena"), "missing"));
}

TEST(Cli, NormalizeAcrossMachines) {
  // Raw times: everything on the fast machine is twice as fast.
  Result r = run_in_process({"parbench_a.json", "parbench_fast.json"});
  EXPECT_TRUE(contains(line_with(r.out, "sum fork pool block"), "-50.0%"));
  EXPECT_TRUE(contains(line_with(r.out, "sum fork pool block"), "faster"));
  // Normalised: the same speedup, efficiency and fraction of each machine's bandwidth.
  r = run_in_process({"parbench_a.json", "parbench_fast.json", "--normalize"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "speedup (higher is better)"));
  EXPECT_TRUE(contains(r.out, "efficiency (higher is better)"));
  EXPECT_TRUE(contains(r.out, "bandwidth_fraction (higher is better)"));
  EXPECT_FALSE(contains(r.out, "faster"));
  EXPECT_FALSE(contains(r.out, "  better"));
  EXPECT_FALSE(contains(r.out, "  worse"));
  EXPECT_TRUE(contains(line_with(r.out, "sum fork pool block"), "same"));
  EXPECT_TRUE(contains(r.out, "no 'speedup' in any report"));  // the launch kernel
}

TEST(Cli, NormalizeOnPlainGoogleBenchmarkIsBadInput) {
  const Result r = run_in_process({"gbench_a.json", "gbench_b.json", "--normalize"});
  EXPECT_EQ(r.status, kBadInput);
  EXPECT_TRUE(contains(r.err, "--normalize"));
}

TEST(Cli, AnyMetricWithDirectionOverride) {
  Result r = run_in_process({"gbench_a.json", "gbench_b.json", "--metric", "items_per_second"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "items_per_second (higher is better)"));
  EXPECT_TRUE(contains(line_with(r.out, "BM_sort/1024"), "204.8 M/s"));
  r = run_in_process(
      {"gbench_a.json", "gbench_b.json", "--metric", "items_per_second", "--better", "lower"});
  EXPECT_TRUE(contains(r.out, "items_per_second (lower is better)"));
  r = run_in_process({"parbench_a.json", "parbench_b.json", "--metric", "cpu_time,speedup"});
  EXPECT_TRUE(contains(r.out, "cpu_time (lower is better)"));
  EXPECT_TRUE(contains(r.out, "speedup (higher is better)"));
  r = run_in_process({"parbench_a.json", "parbench_b.json", "--metric", "no_such_field"});
  EXPECT_EQ(r.status, kBadInput);
  EXPECT_TRUE(contains(r.err, "no_such_field"));
}

TEST(Cli, PivotBackend) {
  const Result r = run_in_process({"parbench_a.json", "--pivot", "backend"});
  EXPECT_EQ(r.status, 0) << r.err;
  const std::string header = line_with(r.out, "Benchmark");
  for (const char* b : {"serial", "thread", "fork", "openmp", "tbb"})
    EXPECT_TRUE(contains(header, b)) << header;
  const std::string row = line_with(r.out, "sum workers:2 bytes:8MiB");
  EXPECT_TRUE(contains(row, "100 us"));
  EXPECT_TRUE(contains(row, "52 us"));
  EXPECT_TRUE(contains(row, "55 us"));
  EXPECT_TRUE(contains(r.out, "geomean (1 row with every backend)"));
}

TEST(Cli, PivotWorkersAndJson) {
  const Result r = run_in_process({"parbench_a.json", "--pivot", "workers", "--format", "json"});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["pivots"][0]["dimension"], "workers");
  EXPECT_EQ(j["pivots"][0]["columns"], nlohmann::json::array({"1", "2"}));
}

TEST(Cli, PivotWithoutParamsIsBadInput) {
  const Result r = run_in_process({"gbench_a.json", "--pivot", "backend"});
  EXPECT_EQ(r.status, kBadInput);
  EXPECT_TRUE(contains(r.err, "--pivot backend"));
}

TEST(Cli, FilterSelectsRuns) {
  const Result r = run_in_process(
      {"parbench_a.json", "parbench_b.json", "--filter", "backend=thread,launch=pool"});
  EXPECT_TRUE(contains(r.out, "sum thread pool block"));
  EXPECT_FALSE(contains(r.out, "sum fork"));
  EXPECT_EQ(
      run_in_process({"parbench_a.json", "parbench_b.json", "--filter", "backend=gpu"}).status,
      kBadInput);
}

TEST(Cli, OptionsBeforeReportsTakeOneValue) {
  Result r = run_in_process({"--metric", "cpu_time", "gbench_a.json", "gbench_b.json"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "cpu_time (lower is better)"));
  r = run_in_process(
      {"--filter", "BM_copy/*", "--filter", "BM_new", "gbench_a.json", "gbench_b.json"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "BM_copy/64"));
  EXPECT_TRUE(contains(r.out, "1 run only in gbench_b.json"));  // BM_new
  EXPECT_FALSE(contains(r.out, "BM_sort"));
}

TEST(Cli, HelpExitsZero) {
  const Result r = run_in_process({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(contains(r.out, "--fail-above"));
}

// The program itself: one line on stderr naming what is wrong, exit status 2, nothing on stdout.
struct BadCase {
  std::vector<std::string> args;
  std::string says;
};

class BadCommandLine : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadCommandLine, OneLineOnStderrAndStatusTwo) {
  std::vector<std::string> args = {kBinary};
  for (const auto& a : GetParam().args)
    args.push_back(a.find(".json") != std::string::npos && a[0] != '-' ? kFixtures + "/" + a : a);
  const auto o = parbench::testing::run_program(args);
  EXPECT_EQ(o.status, kBadInput) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
  EXPECT_EQ(o.err.rfind("parbench-compare: ", 0), 0u) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  EXPECT_TRUE(contains(o.err, GetParam().says)) << o.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadCommandLine,
    ::testing::Values(
        BadCase{{"missing.json", "parbench_a.json"}, "missing.json: cannot open"},
        BadCase{{"parbench_a.json", "bad_not_json.json"}, "bad_not_json.json: not JSON"},
        BadCase{{"bad_truncated.json", "parbench_a.json"}, "bad_truncated.json: truncated"},
        BadCase{{"bad_truncated.json.gz", "parbench_a.json"},
                "bad_truncated.json.gz: not a whole gzip file"},
        BadCase{{"bad_empty.json", "parbench_a.json"}, "bad_empty.json: empty file"},
        BadCase{{"bad_not_report.json", "parbench_a.json"}, "not a benchmark report"},
        BadCase{{"bad_array.json", "parbench_a.json"}, "not a benchmark report"},
        BadCase{{"bad_empty_benchmarks.json", "parbench_a.json"}, "'benchmarks' array is empty"},
        BadCase{{"bad_time_unit.json", "parbench_a.json"}, "unknown time_unit 'fortnights'"},
        BadCase{{"bad_entry.json", "parbench_a.json"}, "'real_time' is a string"},
        BadCase{{"parbench_a.json"}, "two or more reports"}, BadCase{{}, "reports is required"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--format=xml"}, "--format"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--fail-above=-1"}, "--fail-above"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--alpha=1.5"}, "--alpha"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--normalize", "--metric=cpu_time"},
                "excludes"},
        BadCase{{"parbench_a.json", "--pivot=backend", "--fail-above=5"}, "excludes"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--thresholds", "missing.json"},
                "missing.json: cannot open"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--thresholds", "bad_array.json"},
                "bad_array.json: not a thresholds file"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--filter", "backend="}, "--filter"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--bogus"}, "--bogus"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--format=json", "--max-chars=1000"},
                "--max-chars: JSON output is never cut"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--max-chars=-1"}, "--max-chars"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--format=markdown", "--max-chars=10"},
                "--max-chars 10: the output takes"},
        BadCase{{"parbench_a.json", "--pivot=backend", "--max-chars=10"},
                "even with every row cut"},
        // Inputs that never end or block: refused before they are opened.
        BadCase{{"/dev/zero", "parbench_a.json"}, "/dev/zero: is a device, not a report"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--thresholds", "/dev/zero"},
                "/dev/zero: is a device, not a thresholds file"},
        BadCase{{"parbench_a.json", "parbench_b.json", "--thresholds", kFixtures},
                "is a directory, not a thresholds file"},
        // A gate that compared nothing must not pass, with or without a gate.
        BadCase{{"gbench_a.json", "parbench_a.json", "--fail-above=5"},
                "nothing was compared: no run of " + kFixtures + "/gbench_a.json is also in " +
                    kFixtures + "/parbench_a.json"},
        BadCase{{"gbench_a.json", "parbench_a.json", "parbench_b.json"},
                "/parbench_a.json or " + kFixtures + "/parbench_b.json"},
        BadCase{{"parbench_a.json", "errors_only.json", "--thresholds", "thresholds.json"},
                "nothing was compared: no run has a value of real_time in both " + kFixtures +
                    "/parbench_a.json and " + kFixtures +
                    "/errors_only.json (each is missing, not a number, or an error)"},
        BadCase{{"parbench_a.json", "errors_only.json", "--metric=real_time,cpu_time"},
                "no run has a value of real_time or cpu_time in both"},
        BadCase{{"errors_only.json", "--pivot=backend"},
                "nothing was compared: no run with 'backend' has a value of real_time"},
        // An unfinished run's note is not said when the command fails: one line only.
        BadCase{{"incomplete.json", "bad_not_json.json"}, "bad_not_json.json: not JSON"},
        BadCase{{"journal.json.partial", "errors_only.json"}, "nothing was compared"},
        BadCase{{"parbench_a.json", "bad_journal_middle.json.partial"},
                "bad_journal_middle.json.partial: not a parbench journal: line 3 is truncated "
                "JSON"}));

TEST(Program, FifoIsRefusedWithoutWaitingForAWriter) {
  const testing::TempDir dir;
  const std::string fifo = dir.fifo("report.json");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{kBinary, fifo, kFixtures + "/parbench_a.json"},
        std::vector<std::string>{kBinary, kFixtures + "/parbench_a.json",
                                 kFixtures + "/parbench_b.json", "--thresholds", fifo}}) {
    const auto o = parbench::testing::run_program(args);
    EXPECT_EQ(o.status, kBadInput);
    EXPECT_TRUE(contains(o.err, fifo + ": is a FIFO (named pipe), not a")) << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  }
}

TEST(Program, LargeFilesAreRefused) {
  const testing::TempDir dir;
  const std::string report = dir.sparse("huge.json", kMaxReportBytes + 1);
  const std::string thresholds = dir.write("t.json", std::string(kMaxThresholdsBytes + 1, ' '));
  auto o = parbench::testing::run_program({kBinary, report, kFixtures + "/parbench_a.json"});
  EXPECT_EQ(o.status, kBadInput);
  EXPECT_EQ(o.err, "parbench-compare: " + report + ": larger than 512 MiB: not a report\n");
  o = parbench::testing::run_program({kBinary, kFixtures + "/parbench_a.json",
                                      kFixtures + "/parbench_b.json", "--thresholds", thresholds});
  EXPECT_EQ(o.status, kBadInput);
  EXPECT_EQ(o.err,
            "parbench-compare: " + thresholds + ": larger than 1 MiB: not a thresholds file\n");
}

TEST(Program, UnfinishedRunsAreSaidOnceOnStderrAndAboveTheTables) {
  const std::string incomplete = kFixtures + "/incomplete.json";
  const std::string journal = kFixtures + "/journal.json.partial";
  const auto o = parbench::testing::run_program(
      {kBinary, kFixtures + "/parbench_a.json", incomplete, journal, "--fail-above=10"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.err, "parbench-compare: note: " + incomplete +
                       " is incomplete: 2 benchmarks not run (interrupted by SIGINT)\n"
                       "parbench-compare: note: " +
                       journal + " is a journal of an unfinished run (4 benchmarks finished)\n");
  const std::string above = o.out.substr(0, o.out.find("Benchmark"));
  EXPECT_EQ(above.rfind("Note: " + incomplete + " is incomplete: 2 benchmarks not run", 0), 0u)
      << o.out;
  EXPECT_TRUE(contains(above, "Note: " + journal + " is a journal of an unfinished run"));
  EXPECT_FALSE(contains(o.out.substr(above.size()), "Note:"));  // once, not per table
  // The journal's fork line written again after the resume wins: 60 us, as in parbench_a.
  EXPECT_TRUE(contains(line_with(o.out, "sum fork pool block"), "same"));
  EXPECT_TRUE(contains(o.out, "2 runs only in parbench_a.json"));  // tbb and launch
}

TEST(Cli, UnfinishedRunsInMarkdownAndJson) {
  Result r = run_in_process(
      {"parbench_a.json", "incomplete.json", "--format=markdown", "--metric=real_time,cpu_time"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("**Note:** " + kFixtures + "/incomplete.json is incomplete", 0), 0u)
      << r.out;
  EXPECT_EQ(r.out.find("**Note:**"), r.out.rfind("**Note:**"));
  r = run_in_process(
      {"parbench_a.json", kFixtures + "/journal.json.partial", "incomplete.json", "--format=json"});
  EXPECT_EQ(r.status, 0) << r.err;
  const auto status = nlohmann::json::parse(r.out)["report_status"];
  ASSERT_EQ(status.size(), 3u);
  EXPECT_EQ(status[0]["complete"], true);
  EXPECT_TRUE(status[0]["note"].is_null());
  EXPECT_EQ(status[1]["complete"], false);
  EXPECT_EQ(status[1]["journal"], true);
  EXPECT_EQ(status[1]["benchmarks_finished"], 4);
  EXPECT_EQ(status[2]["complete"], false);
  EXPECT_EQ(status[2]["journal"], false);
  EXPECT_EQ(status[2]["interrupted"], "SIGINT");
  EXPECT_EQ(status[2]["not_run"], 2);
  r = run_in_process({kFixtures + "/journal.json.partial", "--pivot=backend"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Note: " + kFixtures + "/journal.json.partial is a journal", 0), 0u);
}

TEST(Program, ErrorEntryIsShownNotFatal) {
  const auto o = parbench::testing::run_program(
      {kBinary, kFixtures + "/parbench_a.json", kFixtures + "/parbench_b.json"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(o.err.empty());
  EXPECT_TRUE(contains(o.out, "worker 1 died"));
}

}  // namespace
}  // namespace parbench::compare
