// Grouping entries into runs, matching runs across reports, and the comparison table.
#include "tools/compare/matching.hpp"
#include "schema/names.hpp"
#include "tests/compare/files.hpp"

#include <gtest/gtest.h>

#include "tools/compare/comparison.hpp"
#include "tools/compare/pivot.hpp"

namespace parbench::compare {
namespace {

const std::string kFixtures = PARBENCH_COMPARE_FIXTURES;

TEST(Group, RepetitionsAndMedianAggregate) {
  const Report r = read_report(kFixtures + "/gbench_a.json");
  std::vector<std::string> notes;
  const auto groups = group_entries(r, notes);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].run_name, "BM_copy/8");
  EXPECT_EQ(groups[0].iterations.size(), 3u);
  ASSERT_NE(groups[0].median, nullptr);
  const Sample s = sample(groups[0], make_metric("real_time"));
  EXPECT_EQ(s.repetitions.size(), 3u);
  EXPECT_NEAR(*s.value, 10e-9, 1e-20);
  EXPECT_EQ(sample(groups[2], make_metric("real_time")).repetitions.size(), 1u);
  EXPECT_TRUE(notes.empty());
}

TEST(Group, FallsBackToTheMedianAggregate) {
  const Report r = parse_report(
      R"({"benchmarks": [{"name": "a_median", "run_name": "a", "run_type": "aggregate",
          "aggregate_name": "median", "real_time": 2, "time_unit": "ms"},
          {"name": "a_mean", "run_name": "a", "run_type": "aggregate",
          "aggregate_name": "mean", "real_time": 3, "time_unit": "ms"}]})",
      "x");
  std::vector<std::string> notes;
  const auto groups = group_entries(r, notes);
  ASSERT_EQ(groups.size(), 1u);
  const Sample s = sample(groups[0], make_metric("real_time"));
  EXPECT_TRUE(s.repetitions.empty());
  EXPECT_DOUBLE_EQ(*s.value, 2e-3);
}

TEST(Group, SameParamsDifferentNamesAreToldApart) {
  const Report r = parse_report(
      R"({"benchmarks": [{"name": "a", "params": {"k": 1}, "real_time": 1},
                         {"name": "b", "params": {"k": 1}, "real_time": 2}]})",
      "x.json");
  std::vector<std::string> notes;
  EXPECT_EQ(group_entries(r, notes).size(), 2u);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("told apart by name"), std::string::npos);
}

TEST(Match, ByParamsNotByName) {
  const Report a = parse_report(
      R"({"benchmarks": [{"name": "old/name", "params": {"kernel": "sum", "workers": 2},
          "real_time": 1}, {"name": "other", "params": {"kernel": "sum", "workers": 4},
          "real_time": 1}]})",
      "a");
  const Report b = parse_report(
      R"({"benchmarks": [{"name": "other", "params": {"workers": 2, "kernel": "sum"},
          "real_time": 1}]})",
      "b");
  std::vector<std::string> notes;
  const std::vector<std::vector<Group>> groups = {group_entries(a, notes), group_entries(b, notes)};
  const auto rows = match(groups);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].cells[0], 0u);
  EXPECT_EQ(rows[0].cells[1], 0u);  // same params, though named differently
  EXPECT_EQ(rows[1].cells[0], 1u);
  EXPECT_FALSE(rows[1].cells[1].has_value());  // same name, other params: not matched
}

TEST(Match, ByNameWithoutParamsAndOneSided) {
  const Report a = read_report(kFixtures + "/gbench_a.json");
  const Report b = read_report(kFixtures + "/gbench_b.json");
  std::vector<std::string> notes;
  const std::vector<std::vector<Group>> groups = {group_entries(a, notes), group_entries(b, notes)};
  const auto rows = match(groups);
  ASSERT_EQ(rows.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(rows[i].cells[0] && rows[i].cells[1]);
  EXPECT_FALSE(rows[3].cells[0].has_value());  // BM_new, only in b
}

Table compare_files(const std::string& a, const std::string& b, const std::string& metric,
                    const CompareSettings& settings = {}) {
  static std::vector<Report> keep;
  keep.clear();
  keep.reserve(2);
  keep.push_back(read_report(kFixtures + "/" + a));
  keep.push_back(read_report(kFixtures + "/" + b));
  std::vector<std::string> notes;
  const std::vector<std::vector<Group>> groups = {group_entries(keep[0], notes),
                                                  group_entries(keep[1], notes)};
  return compare({&keep[0], &keep[1]}, groups, match(groups), make_metric(metric), settings);
}

const TableRow& row_named(const Table& t, const std::string& label) {
  for (const auto& r : t.rows)
    if (r.label == label) return r;
  static TableRow none;
  ADD_FAILURE() << "no row " << label;
  return none;
}

TEST(Compare, VerdictsOnParbenchFixtures) {
  CompareSettings s;
  s.fail_above = 10;
  s.show_unmatched = true;
  const Table t = compare_files("parbench_a.json", "parbench_b.json", "real_time", s);
  const Change& fork = row_named(t, "sum fork pool block workers:2 bytes:8MiB").changes[0];
  EXPECT_EQ(fork.verdict, Verdict::worse);
  EXPECT_EQ(fork.test, SignificanceTest::u_test);
  // scipy 1.10.1: mannwhitneyu([60, 61, 59, 60.5, 59.5], [72, 73.2, 70.8, 72.6, 71.4]), exact.
  EXPECT_NEAR(*fork.p, 0.007936507936507936, 1e-12);
  EXPECT_TRUE(fork.exact);
  EXPECT_NEAR(*fork.percent, 20, 1e-9);  // 60 us against 72000 ns
  EXPECT_TRUE(fork.regression);
  EXPECT_EQ(row_named(t, "sum serial inline block workers:1 bytes:8MiB").changes[0].verdict,
            Verdict::same);
  const TableRow& openmp = row_named(t, "sum openmp team static workers:2 bytes:8MiB");
  EXPECT_TRUE(openmp.cells[1].error);
  EXPECT_FALSE(openmp.cells[1].value.has_value());
  EXPECT_EQ(openmp.changes[0].verdict, Verdict::error);
  EXPECT_EQ(row_named(t, "sum tbb arena auto workers:2 bytes:8MiB").changes[0].verdict,
            Verdict::missing);
  EXPECT_EQ(row_named(t, "sum thread spawn block workers:2 bytes:8MiB").changes[0].verdict,
            Verdict::missing);
  EXPECT_EQ(t.regressions, 1u);
  EXPECT_EQ(t.summary.rows, 4u);  // serial, thread pool, fork, launch
}

TEST(Compare, HigherIsBetterMetric) {
  const Table t = compare_files("parbench_a.json", "parbench_b.json", "bytes_per_second");
  const Change& fork = row_named(t, "sum fork pool block workers:2 bytes:8MiB").changes[0];
  EXPECT_NEAR(*fork.percent, (1 / 1.2 - 1) * 100, 1e-9);
  EXPECT_EQ(fork.verdict, Verdict::worse);
  EXPECT_EQ(verdict_text(fork.verdict, t.metric), "worse");
}

TEST(Compare, TooFewRepetitionsUsesTheThresholdAlone) {
  const Table t = compare_files("gbench_a.json", "gbench_b.json", "real_time");
  const Change& copy64 = row_named(t, "BM_copy/64").changes[0];
  EXPECT_EQ(copy64.test, SignificanceTest::too_few);  // 3 against 3: p can never fall below 0.05
  EXPECT_EQ(copy64.verdict, Verdict::worse);
  EXPECT_EQ(row_named(t, "BM_copy/8").changes[0].verdict, Verdict::same);  // ns against us
  const Change& sort = row_named(t, "BM_sort/1024").changes[0];
  EXPECT_FALSE(sort.p.has_value());
  EXPECT_EQ(sort.test, SignificanceTest::too_few);
}

TEST(Compare, ChangeNotSignificantIsUnsure) {
  const Report a = parse_report(
      R"({"benchmarks": [{"name": "x", "real_time": 10}, {"name": "x", "real_time": 30},
          {"name": "x", "real_time": 11}, {"name": "x", "real_time": 29},
          {"name": "x", "real_time": 12}]})",
      "a");
  const Report b = parse_report(
      R"({"benchmarks": [{"name": "x", "real_time": 31}, {"name": "x", "real_time": 13},
          {"name": "x", "real_time": 32}, {"name": "x", "real_time": 14},
          {"name": "x", "real_time": 33}]})",
      "b");
  std::vector<std::string> notes;
  const std::vector<std::vector<Group>> groups = {group_entries(a, notes), group_entries(b, notes)};
  const Table t = compare({&a, &b}, groups, match(groups), make_metric("real_time"), {});
  EXPECT_EQ(t.rows[0].changes[0].test, SignificanceTest::u_test);
  EXPECT_EQ(t.rows[0].changes[0].verdict, Verdict::worse_unsure);
  EXPECT_FALSE(t.rows[0].changes[0].regression);
  EXPECT_EQ(verdict_text(Verdict::worse_unsure, t.metric), "slower?");
}

TEST(Pivot, BackendSideBySideWithSerialAsReference) {
  const Report r = read_report(kFixtures + "/parbench_a.json");
  std::vector<std::string> notes;
  const PivotTable t = pivot({"a"}, {group_entries(r, notes)}, "backend", make_metric("real_time"));
  const std::vector<std::string> columns = {"serial", "thread", "fork", "openmp", "tbb"};
  std::vector<std::string> headers;
  for (const auto& c : t.columns) headers.push_back(c.header);
  EXPECT_EQ(headers, columns);
  ASSERT_EQ(t.rows.size(), 2u);  // sum workers:2 bytes:8MiB, launch create_join workers:2
  EXPECT_EQ(t.rows[0].label, "sum workers:2 bytes:8MiB");
  for (const auto& c : t.rows[0].cells) EXPECT_TRUE(c.value.has_value());
  EXPECT_NEAR(*t.rows[0].cells[0].value, 100e-6, 1e-15);
  EXPECT_EQ(t.summary_rows, 1u);
}

TEST(Labels, TaskUnitsAsTheNamesWriteThem) {
  EXPECT_EQ(schema::duration_name(0.001), "1ms");
  EXPECT_EQ(schema::duration_name(0.01), "10ms");
  EXPECT_EQ(schema::duration_name(0.0001), "100us");
  EXPECT_EQ(schema::duration_name(0.0005), "500us");
  EXPECT_EQ(schema::duration_name(0.0015), "1.5ms");
  EXPECT_EQ(schema::duration_name(1e-6), "1us");
  EXPECT_EQ(schema::duration_name(2), "2s");
  EXPECT_EQ(schema::duration_name(5e-9), "5ns");
  EXPECT_EQ(schema::duration_name(0), "0s");
  const nlohmann::json params = {{"kernel", "sleep"}, {"backend", "thread"}, {"launch", "pool"},
                                 {"policy", "queue"}, {"workers", 4},        {"tasks", "seed"},
                                 {"task_count", 8},   {"unit", 0.001}};
  // As in the name sleep/thread/pool/queue/workers:4/tasks:seed/unit:1ms.
  EXPECT_EQ(params_label(params, {}), "sleep thread pool queue workers:4 tasks:seed unit:1ms");
  EXPECT_EQ(param_value_text("unit", 0.01), "10ms");
  EXPECT_EQ(param_value_text("unit", "odd"), "odd");  // not seconds: as it is
  EXPECT_EQ(param_value_text("size", 1048576), "1M");
  EXPECT_EQ(param_value_text("workers", 4), "4");
}

TEST(Labels, ParamsLabelAndCounts) {
  EXPECT_EQ(count_text(1048576), "1M");
  EXPECT_EQ(count_text(65536), "64K");
  EXPECT_EQ(count_text(1000), "1000");
  EXPECT_EQ(count_text(std::uint64_t{1} << 30), "1G");
  EXPECT_EQ(count_text(-5), "-5");
  EXPECT_EQ(params_label({{"kernel", "sum"},
                          {"backend", "tbb"},
                          {"size", 65536},
                          {"bytes", 524288},
                          {"workers", 2}},
                         {"backend"}),
            "sum workers:2 bytes:512KiB");
  // Reports that name a size only in elements keep it so.
  EXPECT_EQ(params_label({{"kernel", "sum"}, {"size", 65536}}, {}), "sum size:64K");
}

}  // namespace
}  // namespace parbench::compare
