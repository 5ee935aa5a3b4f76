// What the output holds: runs that nothing is compared with (counted, or listed with
// --show-unmatched), several reports in one pivot table, the launch kernel's measurements never
// mixed in one pivot cell, and task units as the benchmark names write them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/compare/files.hpp"
#include "tools/compare/cli.hpp"

namespace parbench::compare {
namespace {

using nlohmann::json;

const std::string kFixtures = PARBENCH_COMPARE_FIXTURES;

struct Result {
  int status;
  std::string out, err;
};

Result run_args(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"parbench-compare"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ostringstream out, err;
  const int status = run(argv, out, err);
  return {status, out.str(), err.str()};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

std::string line_with(const std::string& text, const std::string& part) {
  const auto at = text.find(part);
  if (at == std::string::npos) return "";
  const auto start = text.rfind('\n', at) + 1;
  return text.substr(start, text.find('\n', at) - start);
}

// A run of a report written here: its params and its repetitions' real_time in microseconds.
struct Written {
  json params;
  std::vector<double> us;
};

std::string name_of(const json& params) {
  std::string name;
  for (const auto& [key, value] : params.items())
    name += (name.empty() ? "" : "/") + key + ":" +
            (value.is_string() ? value.get<std::string>() : value.dump());
  return name;
}

std::string report_text(const std::vector<Written>& runs, const json& context = nullptr) {
  json benchmarks = json::array();
  for (const Written& run : runs)
    for (std::size_t i = 0; i < run.us.size(); ++i)
      benchmarks.push_back({{"name", name_of(run.params)},
                            {"run_name", name_of(run.params)},
                            {"run_type", "iteration"},
                            {"repetitions", run.us.size()},
                            {"repetition_index", i},
                            {"iterations", 1},
                            {"real_time", run.us[i]},
                            {"cpu_time", run.us[i]},
                            {"time_unit", "us"},
                            {"params", run.params}});
  json report = {{"benchmarks", benchmarks}};
  if (!context.is_null()) report["context"] = context;
  return report.dump();
}

json sum_params(const std::string& backend, int workers, int size) {
  return {{"kernel", "sum"},   {"backend", backend}, {"launch", "pool"},
          {"policy", "block"}, {"workers", workers}, {"size", size}};
}

// --- Runs that nothing is compared with ---------------------------------------------------

TEST(Unmatched, ListedWithShowUnmatched) {
  const Result r = run_args(
      {kFixtures + "/parbench_a.json", kFixtures + "/parbench_b.json", "--show-unmatched"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(line_with(r.out, "sum tbb arena"), "only in parbench_a.json"));
  EXPECT_TRUE(contains(line_with(r.out, "sum thread spawn"), "only in parbench_b.json"));
  EXPECT_FALSE(contains(r.out, "--show-unmatched lists them"));
  EXPECT_TRUE(contains(r.out, "2 runs are not in every report: shown as missing where absent."));
}

TEST(Unmatched, InSeveralReportsButNotTheFirst) {
  // thread spawn is in both copies of parbench_b, not in parbench_a; tbb in parbench_a alone.
  const std::string b = kFixtures + "/parbench_b.json";
  const Result r = run_args({kFixtures + "/parbench_a.json", b, b});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out,
                       "1 run only in parbench_a.json, 1 in other reports but not in "
                       "parbench_a.json (--show-unmatched lists them)."))
      << r.out;
  EXPECT_FALSE(contains(r.out, "sum thread spawn"));
}

TEST(Unmatched, CountedInThousandsAndInJson) {
  std::vector<Written> a, b;
  for (int i = 0; i < 1234; ++i) a.push_back({sum_params("thread", 2, 1000 + i), {10}});
  for (int i = 0; i < 56; ++i) b.push_back({sum_params("fork", 2, 1000 + i), {10}});
  a.push_back({sum_params("serial", 1, 1), {10}});
  b.push_back({sum_params("serial", 1, 1), {11}});
  const testing::TempDir dir;
  const std::string pa = dir.write("a.json", report_text(a));
  const std::string pb = dir.write("b.json", report_text(b));
  Result r = run_args({pa, pb});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out,
                       "1,234 runs only in a.json, 56 only in b.json "
                       "(--show-unmatched lists them)."))
      << r.out;
  r = run_args({pa, pb, "--format=json"});
  const json table = json::parse(r.out)["tables"][0];
  EXPECT_EQ(table["rows"].size(), 1u);
  EXPECT_EQ(table["unmatched"]["only_in"]["a.json"], 1234);
  EXPECT_EQ(table["unmatched"]["only_in"]["b.json"], 56);
  EXPECT_EQ(table["unmatched"]["listed"], false);
  r = run_args({pa, pb, "--format=json", "--show-unmatched"});
  EXPECT_EQ(json::parse(r.out)["tables"][0]["rows"].size(), 1234u + 56u + 1u);
}

// --- Several reports in one pivot table -----------------------------------------------------

TEST(PivotOfSeveralReports, OneTableWithAColumnPerReport) {
  const Result r =
      run_args({kFixtures + "/parbench_a.json", kFixtures + "/parbench_b.json", "--pivot=backend"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(count_of(r.out, "by backend"), 1u) << r.out;
  EXPECT_TRUE(contains(r.out, "; A = parbench_a.json, B = parbench_b.json")) << r.out;
  const std::string header = line_with(r.out, "Benchmark");
  for (const char* column : {"serial (A)", "serial (B)", "fork (A)", "fork (B)", "tbb (A)"})
    EXPECT_TRUE(contains(header, column)) << header;
  EXPECT_FALSE(contains(header, "tbb (B)"));  // parbench_b has no tbb run
  EXPECT_LT(header.find("fork (A)"), header.find("fork (B)"));
  const std::string row = line_with(r.out, "sum workers:2 size:1M");
  EXPECT_TRUE(contains(row, "60 us")) << row;  // fork in A
  EXPECT_TRUE(contains(row, "72 us")) << row;  // fork in B
  EXPECT_TRUE(contains(row, "error")) << row;  // openmp in B
  EXPECT_TRUE(contains(r.out, "geomean (0 rows with every column)")) << r.out;
}

TEST(PivotOfSeveralReports, JsonNamesEachColumnsValueAndReport) {
  const Result r = run_args({kFixtures + "/parbench_a.json", kFixtures + "/parbench_fast.json",
                             "--pivot=workers", "--format=json"});
  EXPECT_EQ(r.status, 0) << r.err;
  const json pivots = json::parse(r.out)["pivots"];
  ASSERT_EQ(pivots.size(), 1u);
  EXPECT_EQ(pivots[0]["reports"], json::array({"parbench_a.json", "parbench_fast.json"}));
  EXPECT_EQ(pivots[0]["columns"], json::array({"1 (A)", "1 (B)", "2 (A)", "2 (B)"}));
  EXPECT_EQ(pivots[0]["column_keys"][1], json({{"value", "1"}, {"report", "parbench_fast.json"}}));
}

// --- The launch kernel's measurements in a backend pivot -------------------------------------

json launch_params(const std::string& backend, const std::string& launch,
                   const std::string& policy) {
  return {{"kernel", "launch"},
          {"backend", backend},
          {"launch", launch},
          {"policy", policy},
          {"workers", 2}};
}

// Starting a pool costs far more than a job dispatched to it: a cell that took the best of
// both would show a dispatch under the name of a start.
std::vector<Written> launch_runs() {
  return {{launch_params("thread", "pool", "start"), {100}},
          {launch_params("thread", "pool", "dispatch"), {1}},
          {launch_params("thread", "spawn", "dispatch"), {5}},
          {launch_params("thread", "spawn", "create_join"), {20}},
          {launch_params("fork", "pool", "start"), {2000}},
          {launch_params("fork", "pool", "dispatch"), {10}},
          {launch_params("fork", "pool", "floor"), {8}},
          {sum_params("thread", 2, 1024), {50}},
          {{{"kernel", "sum"},
            {"backend", "thread"},
            {"launch", "spawn"},
            {"policy", "dynamic:64"},
            {"workers", 2},
            {"size", 1024}},
           {40}}};
}

json registry_of_launch_runs() {
  const json block = {{"name", "block"}, {"split", "block"}};
  const json dynamic = {{"name", "dynamic"}, {"split", "dynamic"}, {"takes_grain", true}};
  return {{"backends",
           {{{"name", "thread"}, {"sum_policies", {block, dynamic}}, {"task_policies", {block}}},
            {{"name", "fork"}, {"sum_policies", {block}}, {"task_policies", {block}}}}}};
}

void expect_like_with_like(const std::string& out) {
  const std::string start = line_with(out, "launch start workers:2");
  EXPECT_TRUE(contains(start, " 100 us ")) << out;
  EXPECT_TRUE(contains(start, " 2 ms")) << out;
  EXPECT_FALSE(contains(start, "(")) << out;  // one run a cell: nothing chosen
  const std::string dispatch = line_with(out, "launch dispatch workers:2");
  EXPECT_TRUE(contains(dispatch, " 1 us (pool) ")) << out;  // the best of pool and spawn
  EXPECT_TRUE(contains(dispatch, " 10 us")) << out;
  EXPECT_TRUE(contains(out, "launch create_join workers:2")) << out;
  EXPECT_TRUE(contains(out, "launch floor workers:2")) << out;
  // A sum's policy is how the backend splits work: the best of them is shown.
  EXPECT_TRUE(contains(line_with(out, "sum workers:2 size:1K"), "40 us (spawn/dynamic:64)"));
  EXPECT_TRUE(contains(out, "A policy that names what a run measures")) << out;
}

TEST(PivotOfLaunch, NeverMixesWhatIsMeasuredWithTheRegistry) {
  const testing::TempDir dir;
  const std::string path =
      dir.write("r.json", report_text(launch_runs(), registry_of_launch_runs()));
  const Result r = run_args({path, "--pivot=backend"});
  EXPECT_EQ(r.status, 0) << r.err;
  expect_like_with_like(r.out);
}

TEST(PivotOfLaunch, NeverMixesWhatIsMeasuredInAnOlderReport) {
  // No context.backends, as the committed reference reports.
  const testing::TempDir dir;
  const std::string path = dir.write("r.json", report_text(launch_runs()));
  const Result r = run_args({path, "--pivot=backend"});
  EXPECT_EQ(r.status, 0) << r.err;
  expect_like_with_like(r.out);
}

TEST(PivotOfLaunch, APolicyTheRegistryDoesNotListStaysInTheRow) {
  json registry = registry_of_launch_runs();
  registry["backends"][0]["sum_policies"] = json::array({{{"name", "block"}}});  // no dynamic
  const testing::TempDir dir;
  const std::string path = dir.write("r.json", report_text(launch_runs(), registry));
  const Result r = run_args({path, "--pivot=backend"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "sum dynamic:64 workers:2 size:1K")) << r.out;
  EXPECT_TRUE(contains(line_with(r.out, "sum workers:2 size:1K"), "50 us")) << r.out;
}

// --- Task units -------------------------------------------------------------------------------

TEST(TaskUnits, PivotColumnsAndRowsAsTheNamesWriteThem) {
  std::vector<Written> runs;
  for (const double unit : {0.001, 0.01, 0.0001})
    runs.push_back({{{"kernel", "sleep"},
                     {"backend", "thread"},
                     {"launch", "pool"},
                     {"policy", "queue"},
                     {"workers", 4},
                     {"tasks", "seed"},
                     {"task_count", 8},
                     {"unit", unit}},
                    {unit * 1e6 * 9}});
  const testing::TempDir dir;
  const std::string path = dir.write("r.json", report_text(runs));
  Result r = run_args({path, "--pivot=unit"});
  EXPECT_EQ(r.status, 0) << r.err;
  const std::string header = line_with(r.out, "Benchmark");
  EXPECT_TRUE(contains(header, "1ms")) << header;
  EXPECT_TRUE(contains(header, "10ms")) << header;
  EXPECT_TRUE(contains(header, "100us")) << header;
  EXPECT_FALSE(contains(r.out, "0.001")) << r.out;
  r = run_args({path, "--pivot=workers", "--filter=unit=10ms"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "sleep thread pool queue tasks:seed unit:10ms")) << r.out;
  EXPECT_FALSE(contains(r.out, "unit:1ms")) << r.out;
}

}  // namespace
}  // namespace parbench::compare
