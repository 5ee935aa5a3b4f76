// The measurement engine: when a benchmark stops repeating, the aggregates it makes in Google
// Benchmark's shape, the groups whose repetitions are interleaved, and a real adaptive run.
#include "engine/rounds.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "engine/calibration.hpp"
#include "tests/process.hpp"

namespace parbench {
namespace {

using nlohmann::json;

json run_of(double real_time, double counter = 1) {
  return {{"name", "b/process_time/real_time"},
          {"run_name", "b/process_time/real_time"},
          {"run_type", "iteration"},
          {"repetitions", 1},
          {"repetition_index", 0},
          {"threads", 1},
          {"iterations", 10},
          {"real_time", real_time},
          {"cpu_time", real_time / 2},
          {"time_unit", "us"},
          {"bytes_per_second", 1000 / real_time},
          {"workers_obtained", counter}};
}

Repetitions with_times(const std::vector<double>& times) {
  Repetitions r;
  for (double t : times) r.runs.push_back(run_of(t));
  return r;
}

Measurement adaptive() {
  Measurement m;
  m.target = 0.02;
  m.min_repetitions = 6;
  m.max_repetitions = 10;
  m.benchmark_budget = 5;
  return m;
}

TEST(NeedsAnother, FixedRepetitionsStopAtTheirCount) {
  Measurement m = adaptive();
  m.repetitions = 3;
  Repetitions r = with_times({1, 5});
  EXPECT_TRUE(needs_another(r, m, false));
  r.runs.push_back(run_of(9));
  EXPECT_FALSE(needs_another(r, m, false));
  EXPECT_EQ(r.stopped, Stop::fixed);
}

TEST(NeedsAnother, TightRepetitionsStopAtTheFewestWithAnInterval) {
  Repetitions five = with_times({100, 100.5, 99.5, 100.2, 99.8});
  EXPECT_TRUE(needs_another(five, adaptive(), false)) << "5 values give no 95% interval";
  Repetitions six = with_times({100, 100.5, 99.5, 100.2, 99.8, 100.1});
  EXPECT_FALSE(needs_another(six, adaptive(), false));
  EXPECT_EQ(six.stopped, Stop::target_met);
}

TEST(NeedsAnother, WideRepetitionsGoOnUntilTheirLimits) {
  Repetitions wide = with_times({100, 130, 90, 120, 80, 110});
  EXPECT_TRUE(needs_another(wide, adaptive(), false));
  wide.seconds = 6;
  EXPECT_FALSE(needs_another(wide, adaptive(), false));
  EXPECT_EQ(wide.stopped, Stop::benchmark_budget);

  Repetitions spent = with_times({100, 130, 90, 120, 80, 110});
  EXPECT_FALSE(needs_another(spent, adaptive(), true));
  EXPECT_EQ(spent.stopped, Stop::run_budget);

  Repetitions many = with_times({100, 130, 90, 120, 80, 110, 100, 130, 90, 120});
  EXPECT_FALSE(needs_another(many, adaptive(), false));
  EXPECT_EQ(many.stopped, Stop::max_repetitions);
}

TEST(NeedsAnother, AnErrorEndsTheBenchmark) {
  Repetitions r = with_times({1});
  r.runs.push_back({{"run_type", "iteration"}, {"error_occurred", true}});
  EXPECT_FALSE(needs_another(r, adaptive(), false));
  EXPECT_EQ(r.stopped, Stop::error);
}

TEST(Aggregates, MeanMedianStddevCvInGoogleBenchmarksShape) {
  const json a = aggregates_of({run_of(1), run_of(3), run_of(2), run_of(10)});
  ASSERT_EQ(a.size(), 4u);
  std::map<std::string, json> by;
  for (const auto& e : a) by[e["aggregate_name"]] = e;
  EXPECT_EQ(by["mean"]["real_time"], 4);
  EXPECT_EQ(by["median"]["real_time"], 2.5);
  EXPECT_EQ(by["median"]["cpu_time"], 1.25);
  EXPECT_EQ(by["median"]["name"], "b/process_time/real_time_median");
  EXPECT_EQ(by["median"]["run_name"], "b/process_time/real_time");
  EXPECT_EQ(by["median"]["run_type"], "aggregate");
  EXPECT_EQ(by["median"]["iterations"], 4);
  EXPECT_EQ(by["median"]["time_unit"], "us");
  EXPECT_EQ(by["median"]["workers_obtained"], 1);  // counters too
  EXPECT_NEAR(by["stddev"]["real_time"].get<double>(), std::sqrt(((9 + 1 + 4 + 36) / 3.0)), 1e-12);
  EXPECT_EQ(by["cv"]["aggregate_unit"], "percentage");
  EXPECT_NEAR(by["cv"]["real_time"].get<double>(), by["stddev"]["real_time"].get<double>() / 4,
              1e-12);
  EXPECT_FALSE(by["median"].contains("repetition_index"));
}

TEST(Aggregates, FailedRunsLeftOutAndNoneForFewerThanTwo) {
  json failed = run_of(100);
  failed["error_occurred"] = true;
  EXPECT_TRUE(aggregates_of({run_of(1), failed}).empty());
  const json a = aggregates_of({run_of(1), failed, run_of(3)});
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[1]["real_time"], 2);
  EXPECT_EQ(a[1]["repetitions"], 3);
}

TEST(FinishedEntries, NumberedRepetitionsAggregatesAndTheRecordOnTheMedian) {
  Repetitions r = with_times({100, 101, 99, 100, 102, 98});
  r.iterations = 10;
  ASSERT_FALSE(needs_another(r, adaptive(), false));
  const json record = measurement_record(r, adaptive(), {"other"});
  EXPECT_EQ(record["repetitions"], 6);
  EXPECT_EQ(record["stopped_by"], "target met");
  EXPECT_EQ(record["decided"], true);
  EXPECT_EQ(record["median_interval"], json({98, 102}));
  EXPECT_EQ(record["interleaved_with"], json({"other"}));
  const json entries = finished_entries(r, record, 7);
  ASSERT_EQ(entries.size(), 10u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(entries[i]["repetition_index"], i);
    EXPECT_EQ(entries[i]["repetitions"], 6);
    EXPECT_EQ(entries[i]["family_index"], 7);
    EXPECT_FALSE(entries[i].contains("measurement"));
  }
  for (int i = 6; i < 10; ++i)
    EXPECT_EQ(entries[i].contains("measurement"), entries[i]["aggregate_name"] == "median");
}

TEST(FinishedEntries, AnUndecidedBenchmarkSaysSoWithItsInterval) {
  Repetitions r = with_times({100, 130, 90, 120, 80, 110});
  r.seconds = 6;
  ASSERT_FALSE(needs_another(r, adaptive(), false));
  const json record = measurement_record(r, adaptive(), {});
  EXPECT_EQ(record["decided"], false);
  EXPECT_EQ(record["stopped_by"], "benchmark budget");
  EXPECT_EQ(record["median_interval"], json({80, 130}));
  EXPECT_NEAR(record["half_width"].get<double>(), 25.0 / 105, 1e-12);
}

TEST(FairGroups, SameWorkTogetherInRegistrationOrder) {
  BenchmarkList registry;
  auto nothing = [](benchmark::State&) {};
  const json a = {{"kernel", "sum"}, {"size", 1}, {"workers", 2}};
  const json b = {{"kernel", "sum"}, {"size", 2}, {"workers", 2}};
  auto with = [](json p, const char* backend, const char* policy) {
    p["backend"] = backend;
    p["launch"] = "pool";
    p["policy"] = policy;
    return p;
  };
  registry.add("a1", with(a, "thread", "block"), nothing, benchmark::kMicrosecond);
  registry.add("b1", with(b, "thread", "block"), nothing, benchmark::kMicrosecond);
  registry.add("a2", with(a, "tbb", "auto"), nothing, benchmark::kMicrosecond);
  registry.add("c", with(a, "tbb", "auto"), nothing, benchmark::kMicrosecond, "its own");
  const auto groups = fair_groups(registry, {"a1", "b1", "a2", "c"}, true);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0], (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(groups[1], (std::vector<std::string>{"b1"}));
  EXPECT_EQ(groups[2], (std::vector<std::string>{"c"}));
  EXPECT_EQ(fair_groups(registry, {"a1", "b1", "a2"}, false).size(), 3u);
}

// A calibration read is doubted when threads read slower than one, or when it is far from the
// read before the benchmarks; a doubted read is made again, and every read is kept.
TEST(Calibration, ImplausibleReadsAreReadAgainAndKept) {
  CalibrationRead slow{1e9, 2e9, std::nullopt};
  EXPECT_EQ(doubt_alone(slow, 2), "2 threads read slower than one");
  EXPECT_EQ(doubt_alone(slow, 1), std::nullopt);
  Calibration before;
  before.bytes_per_second = 10e9;
  EXPECT_EQ(doubt_against({10.5e9, 5e9, std::nullopt}, before, 0.1), std::nullopt);
  EXPECT_EQ(doubt_against({8e9, 5e9, std::nullopt}, before, 0.1),
            "-20% from the read before the benchmarks");
  EXPECT_EQ(doubt_unconfirmed({8e9, 5e9, std::nullopt}, {}, 0.1), "not confirmed yet");
  EXPECT_EQ(doubt_unconfirmed({8e9, 5e9, std::nullopt}, {{10e9, 5e9, std::nullopt}}, 0.1),
            "-20% from the read before it");
  EXPECT_EQ(doubt_unconfirmed({9.5e9, 5e9, std::nullopt}, {{10e9, 5e9, std::nullopt}}, 0.1),
            std::nullopt);

  SumWork array(1 << 16, Mapping::private_pages);
  int asked = 0;
  const Calibration c = calibrate_read_bandwidth(
      array, 2,
      [&](const CalibrationRead&,
          const std::vector<CalibrationRead>& earlier) -> std::optional<std::string> {
        EXPECT_EQ(earlier.size(), static_cast<std::size_t>(asked));
        if (++asked < 3) return "disturbed";
        return std::nullopt;
      });
  ASSERT_EQ(c.reads.size(), 3u);
  EXPECT_EQ(c.reads[0].doubt, "disturbed");
  EXPECT_EQ(c.reads[2].doubt, std::nullopt);
  double best = 0;
  for (const auto& r : c.reads) best = std::max(best, r.bytes_per_second);
  EXPECT_EQ(c.bytes_per_second, best);

  const Calibration stubborn = calibrate_read_bandwidth(
      array, 1, [](const CalibrationRead&, const auto&) { return "always"; });
  EXPECT_EQ(stubborn.reads.size(), static_cast<std::size_t>(kMostCalibrationReads));
}

#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
// A real run with the default measurement: every benchmark has at least the fewest repetitions
// for a 95% interval, its record, and the benchmarks it was interleaved with.
TEST(AdaptiveRun, RecordsEveryBenchmarksRepetitionsIntervalAndGroup) {
  const std::string path = ::testing::TempDir() + "/adaptive_run.json";
  const auto o = testing::run_program({PARBENCH_BINARY, "--kernels=sum", "--backends=serial,thread",
                                       "--launch=pool", "--workers=2", "--sizes=4K",
                                       "--min-time=0.001", "--benchmark-budget=0.05",
                                       "--calibration-size=1M", "--seed=7", "--out=" + path});
  ASSERT_EQ(o.status, 0) << o.err;
  std::ifstream in(path);
  const json report = json::parse(in);
  EXPECT_EQ(report["context"]["measurement"]["order_seed"], 7);
  std::set<std::string> names;
  for (const auto& e : report["benchmarks"])
    if (e["run_type"] == "iteration") names.insert(e["run_name"].get<std::string>());
  int records = 0;
  for (const auto& e : report["benchmarks"]) {
    if (!e.contains("measurement")) continue;
    ++records;
    const json& m = e["measurement"];
    EXPECT_EQ(e["aggregate_name"], "median");
    EXPECT_GE(m["repetitions"].get<int>(), 6) << e["name"];
    EXPECT_EQ(e["repetitions"], m["repetitions"]);
    EXPECT_EQ(m["median_interval"].size(), 2u);
    EXPECT_LE(m["median_interval"][0].get<double>(), e["real_time"].get<double>());
    EXPECT_GE(m["median_interval"][1].get<double>(), e["real_time"].get<double>());
    EXPECT_TRUE(m["stopped_by"] == "target met" || m["stopped_by"] == "benchmark budget" ||
                m["stopped_by"] == "max repetitions")
        << m.dump();
    EXPECT_EQ(m["decided"], m["stopped_by"] == "target met");
    // The thread pool's three policies read one array with 2 workers; serial reads it alone.
    const std::size_t others = e["params"]["workers"] == 1 ? 0 : 2;
    EXPECT_EQ(m["interleaved_with"].size(), others) << m.dump();
  }
  EXPECT_EQ(records, static_cast<int>(names.size()));
  std::filesystem::remove(path);
}
#endif

}  // namespace
}  // namespace parbench

#include "report/console.hpp"

namespace parbench {
namespace {

// One line per benchmark: its name, median and how well it is known, repetitions, and the
// kernel's own figure, in at most 120 columns; an error says so.
TEST(ResultLine, MedianSpreadRepetitionsAndTheKernelsFigure) {
  nlohmann::json median = {{"aggregate_name", "median"},
                           {"run_type", "aggregate"},
                           {"real_time", 2.614},
                           {"time_unit", "us"},
                           {"repetitions", 12},
                           {"bytes_per_second", 25.1e9},
                           {"bandwidth_fraction", 1.03},
                           {"params", {{"kernel", "sum"}}},
                           {"measurement", {{"half_width", 0.014}, {"decided", true}}}};
  const std::string line =
      result_line("sum/thread/pool/block/workers:2/bytes:512KiB", nlohmann::json::array({median}));
  EXPECT_NE(line.find("sum/thread/pool/block/workers:2/bytes:512KiB"), std::string::npos) << line;
  EXPECT_NE(line.find("2.614 µs ±1.4%"), std::string::npos) << line;
  EXPECT_NE(line.find("n=12"), std::string::npos) << line;
  EXPECT_NE(line.find("25.1 GB/s, 1.03 of read"), std::string::npos) << line;
  median["measurement"]["decided"] = false;
  EXPECT_NE(result_line(std::string(200, 'x'), nlohmann::json::array({median})).find("~±1.4%"),
            std::string::npos);
  EXPECT_LE(result_line(std::string(200, 'x'), nlohmann::json::array({median})).size(), 120u);
  const nlohmann::json failed = {
      {"run_type", "iteration"}, {"error_occurred", true}, {"error_message", "wrong sum"}};
  EXPECT_NE(result_line("b", nlohmann::json::array({failed})).find("error: wrong sum"),
            std::string::npos);
}

}  // namespace
}  // namespace parbench
