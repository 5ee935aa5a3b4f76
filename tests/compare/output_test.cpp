// What the output holds and how big it gets: runs that nothing is compared with (counted, or
// listed with --show-unmatched), output cut to fit --max-chars (Markdown: a GitHub comment),
// several reports in one pivot table, and the launch kernel's measurements never mixed in one.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/compare/files.hpp"
#include "tools/compare/cli.hpp"
#include "tools/compare/format.hpp"
#include "tools/compare/layout.hpp"
#include "tools/compare/metrics.hpp"

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

std::string last_line(const std::string& text) {
  const std::string trimmed = text.substr(0, text.find_last_not_of('\n') + 1);
  return trimmed.substr(trimmed.rfind('\n') + 1);
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

// Six repetitions around `us`, none equal: enough for the U test to decide.
std::vector<double> around(double us) {
  return {us * 0.99, us * 1.01, us * 0.995, us * 1.005, us * 0.998, us * 1.002};
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

// --- Cut to fit --max-chars -----------------------------------------------------------------

// parbench_a against parbench_b, in Markdown, at most `limit` characters.
Result fixtures_cut_to(std::size_t limit) {
  return run_args({kFixtures + "/parbench_a.json", kFixtures + "/parbench_b.json",
                   "--format=markdown", "--max-chars=" + std::to_string(limit)});
}

TEST(MaxChars, KeepsSignificantThenErrorsThenLargestChanges) {
  // The rows by priority: fork (+20%, significant), openmp (error), then by |change|: launch
  // (+0.50%), serial (+0.20%), thread (+0.19%).
  const std::vector<std::string> priority = {
      "| sum fork pool block", "| sum openmp team static", "| launch thread spawn create_join",
      "| sum serial inline block", "| sum thread pool block"};
  const std::size_t whole = display_width(fixtures_cut_to(0).out);
  EXPECT_FALSE(contains(fixtures_cut_to(whole).out, "cut to fit"));
  std::size_t cut_at_least_once = 0;
  for (std::size_t limit = whole - 1; limit > 0; --limit) {
    const Result r = fixtures_cut_to(limit);
    if (r.status != 0) {  // too small even for the headers and notes: said, not written
      EXPECT_EQ(r.status, kBadInput);
      EXPECT_TRUE(r.out.empty());
      EXPECT_TRUE(contains(r.err, "even with every row cut")) << r.err;
      break;
    }
    ASSERT_LE(display_width(r.out), limit);
    ++cut_at_least_once;
    std::size_t kept = 0;
    while (kept < priority.size() && contains(r.out, priority[kept])) ++kept;
    for (std::size_t i = kept; i < priority.size(); ++i)
      EXPECT_FALSE(contains(r.out, priority[i])) << "limit " << limit << ": " << priority[i];
    const std::string cut = std::to_string(priority.size() - kept);
    EXPECT_EQ(last_line(r.out), std::string("_").append(cut).append(
                                    " of 5 rows cut to fit --max-chars " + grouped(limit) +
                                    "; kept: the significant changes, then the errors, then the "
                                    "largest changes. Run with --format=text for all._"));
    // An error's line under the table goes with its row.
    EXPECT_EQ(contains(r.out, "error in parbench_b.json"), kept >= 2) << limit;
  }
  EXPECT_GT(cut_at_least_once, 100u);
}

// The output at every --max-chars below what it needs whole, down to where even no row fits.
std::vector<std::string> every_cut(std::vector<std::string> args) {
  args.push_back("--format=markdown");
  args.push_back("--max-chars=0");
  std::vector<std::string> outputs;
  for (std::size_t limit = display_width(run_args(args).out) - 1; limit > 0; --limit) {
    args.back() = "--max-chars=" + std::to_string(limit);
    const Result r = run_args(args);
    if (r.status != 0) break;
    EXPECT_LE(display_width(r.out), limit);
    outputs.push_back(r.out);
  }
  return outputs;
}

TEST(MaxChars, SignificantBeforeALargerChangeThatIsNot) {
  // Five runs +40% with repetitions that overlap (not significant) against one +10% that is.
  std::vector<Written> a = {{sum_params("fork", 2, 1), around(100)}};
  std::vector<Written> b = {{sum_params("fork", 2, 1), around(110)}};
  for (int size = 1; size <= 5; ++size) {
    a.push_back({sum_params("thread", 2, size), {10, 20, 30, 40, 50, 60}});
    b.push_back({sum_params("thread", 2, size), {14, 28, 42, 56, 70, 84}});
  }
  const testing::TempDir dir;
  const std::string pa = dir.write("a.json", report_text(a));
  const std::string pb = dir.write("b.json", report_text(b));
  const Result whole = run_args({pa, pb, "--format=markdown"});
  EXPECT_TRUE(contains(line_with(whole.out, "sum thread"), "slower?")) << whole.out;
  EXPECT_TRUE(contains(line_with(whole.out, "sum fork"), "| slower |")) << whole.out;
  bool fork_alone = false;
  for (const std::string& out : every_cut({pa, pb})) {
    if (contains(out, "| sum thread")) {
      EXPECT_TRUE(contains(out, "| sum fork")) << out;
    }
    fork_alone = fork_alone || (contains(out, "| sum fork") && !contains(out, "| sum thread") &&
                                contains(last_line(out), "_5 of 6 rows cut"));
  }
  EXPECT_TRUE(fork_alone);
}

TEST(MaxChars, MarkdownFitsAGitHubCommentByDefaultAndTextIsWhole) {
  std::vector<Written> a, b;
  for (int i = 0; i < 1500; ++i) {
    a.push_back({sum_params("thread", 2, 1000 + i), around(100 + i)});
    b.push_back({sum_params("thread", 2, 1000 + i), around((100 + i) * (i % 7 == 0 ? 1.5 : 1))});
  }
  const testing::TempDir dir;
  const std::string pa = dir.write("a.json", report_text(a));
  const std::string pb = dir.write("b.json", report_text(b));
  Result r = run_args({pa, pb, "--format=markdown"});
  EXPECT_EQ(r.status, 0) << r.err;
  // Characters, not bytes: every value has a "±".
  EXPECT_LE(display_width(r.out), kGitHubCommentChars);
  EXPECT_GT(display_width(r.out), kGitHubCommentChars - 200);
  EXPECT_TRUE(contains(last_line(r.out), "rows cut to fit a GitHub comment (65,536 characters)"))
      << last_line(r.out);
  // The 215 runs 50% slower are all kept.
  EXPECT_EQ(count_of(r.out, "| slower |"), 215u);
  r = run_args({pa, pb, "--format=markdown", "--max-chars=0"});
  EXPECT_GT(display_width(r.out), kGitHubCommentChars);
  EXPECT_FALSE(contains(r.out, "cut to fit"));
  r = run_args({pa, pb});
  EXPECT_EQ(count_of(r.out, "\nsum thread pool block"), 1500u);
  r = run_args({pa, pb, "--max-chars=20000"});
  EXPECT_LE(display_width(r.out), 20000u);
  EXPECT_TRUE(contains(last_line(r.out), "cut to fit --max-chars 20,000")) << last_line(r.out);
  EXPECT_TRUE(contains(last_line(r.out), "Run without --max-chars for all.")) << last_line(r.out);
}

TEST(MaxChars, PivotKeepsTheRowsWhoseColumnsDifferMost) {
  // fork takes 3 times thread's time at size 2, 1.01 to 1.09 times elsewhere (more, larger).
  std::vector<Written> runs;
  for (int size = 1; size <= 9; ++size) {
    runs.push_back({sum_params("thread", 2, size), {100}});
    runs.push_back({sum_params("fork", 2, size), {size == 2 ? 300 : 100.0 + size}});
  }
  const testing::TempDir dir;
  const std::string path = dir.write("r.json", report_text(runs));
  const auto shown = [](const std::string& out, int size) {
    return contains(out, "| sum workers:2 size:" + std::to_string(size) + " |");
  };
  bool widest_alone = false;
  for (const std::string& out : every_cut({path, "--pivot=backend"})) {
    EXPECT_TRUE(contains(last_line(out), "kept: the rows whose columns differ most")) << out;
    for (int size = 1; size <= 9; ++size)
      if (shown(out, size) && size != 2) {
        EXPECT_TRUE(shown(out, 2)) << out;
        for (int larger = size + 1; larger <= 9; ++larger) EXPECT_TRUE(shown(out, larger)) << out;
      }
    widest_alone = widest_alone || (shown(out, 2) && contains(last_line(out), "_8 of 9 rows cut"));
  }
  EXPECT_TRUE(widest_alone);
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
  const std::string row = line_with(r.out, "sum workers:2 bytes:8MiB");
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
