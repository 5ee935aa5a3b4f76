// The report reader: good reports with and without params, and every kind of bad input.
#include "tools/compare/reader.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tools/compare/metrics.hpp"

namespace parbench::compare {
namespace {

const std::string kFixtures = PARBENCH_COMPARE_FIXTURES;

std::string error_of(std::string_view text) {
  try {
    parse_report(text, "x.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Reader, GzipReportReadsAsItsText) {
  const Report plain = read_report(kFixtures + "/parbench_b.json");
  const Report packed = read_report(kFixtures + "/parbench_b.json.gz");
  ASSERT_EQ(packed.entries.size(), plain.entries.size());
  for (std::size_t i = 0; i < plain.entries.size(); ++i) {
    EXPECT_EQ(packed.entries[i].name, plain.entries[i].name);
    EXPECT_EQ(packed.entries[i].params, plain.entries[i].params);
  }
}

TEST(Reader, ParbenchReportHasParamsAndConvertsUnits) {
  const Report r = read_report(kFixtures + "/parbench_b.json");
  ASSERT_FALSE(r.entries.empty());
  const Entry& first = r.entries.front();
  ASSERT_TRUE(first.params.has_value());
  EXPECT_EQ((*first.params)["backend"], "serial");
  EXPECT_FALSE(first.aggregate);
  EXPECT_EQ(first.seconds_per_unit, 1e-9);
  EXPECT_NEAR(*metric_value(first, make_metric("real_time"), r), 100.2e-6, 1e-15);
  EXPECT_EQ(r.context.value("read_bandwidth", 0.0), 10e9);
}

TEST(Reader, ErrorEntryIsMarkedWithItsMessage) {
  const Report r = read_report(kFixtures + "/parbench_b.json");
  int errors = 0;
  for (const auto& e : r.entries)
    if (e.error) {
      ++errors;
      EXPECT_EQ(e.error_message, "worker 1 died (signal 9)");
    }
  EXPECT_EQ(errors, 1);
}

TEST(Reader, PlainGoogleBenchmarkWithNaN) {
  const Report r = read_report(kFixtures + "/gbench_b.json");
  bool saw_sort = false;
  for (const auto& e : r.entries) {
    EXPECT_FALSE(e.params.has_value());
    if (e.name == "BM_sort/1024") {
      saw_sort = true;
      EXPECT_TRUE(e.fields["ratio"].is_null());  // NaN in the file
      EXPECT_FALSE(metric_value(e, make_metric("ratio"), r).has_value());
      EXPECT_NEAR(*metric_value(e, make_metric("real_time"), r), 5.1e-6, 1e-18);
    }
    if (e.name == "BM_copy/8_median") {
      EXPECT_TRUE(e.aggregate);
      EXPECT_EQ(e.aggregate_name, "median");
      EXPECT_EQ(e.run_name, "BM_copy/8");
    }
  }
  EXPECT_TRUE(saw_sort);
}

TEST(Reader, OldGoogleBenchmarkWithoutRunNameOrRunType) {
  const Report r = read_report(kFixtures + "/gbench_old.json");
  ASSERT_EQ(r.entries.size(), 4u);
  EXPECT_FALSE(r.entries[0].aggregate);
  EXPECT_TRUE(r.entries[3].aggregate);
  EXPECT_EQ(r.entries[3].run_name, "BM_x");
  EXPECT_EQ(r.entries[0].seconds_per_unit, 1e-3);
}

TEST(Reader, NonFiniteWordsInsideStringsAreKept) {
  const Report r = parse_report(
      R"({"benchmarks": [{"name": "NaN Infinity", "real_time": -Infinity, "x": NaN}]})", "x");
  EXPECT_EQ(r.entries[0].name, "NaN Infinity");
  EXPECT_TRUE(r.entries[0].fields["real_time"].is_null());
}

TEST(Reader, SkippedCountsAsError) {
  const Report r = parse_report(
      R"({"benchmarks": [{"name": "a", "skipped": true, "skip_message": "no GPU"}]})", "x");
  EXPECT_TRUE(r.entries[0].error);
  EXPECT_EQ(r.entries[0].error_message, "no GPU");
}

struct Bad {
  const char* text;
  const char* says;
};

class BadInput : public ::testing::TestWithParam<Bad> {};

TEST_P(BadInput, SaysWhatIsWrong) {
  const std::string message = error_of(GetParam().text);
  EXPECT_NE(message.find(GetParam().says), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadInput,
    ::testing::Values(
        Bad{"", "empty file"}, Bad{"  \n ", "empty file"}, Bad{"hello", "not JSON"},
        Bad{R"({"benchmarks": [{"name": "x")", "truncated"},
        Bad{R"({"benchmarks": [{"name": "x)", "truncated"}, Bad{"[1, 2]", "an array"},
        Bad{"42", "a number"}, Bad{R"({"context": {}})", "no 'benchmarks'"},
        Bad{R"({"benchmarks": {}})", "'benchmarks' is an object"},
        Bad{R"({"benchmarks": []})", "empty"}, Bad{R"({"benchmarks": [3]})", "benchmarks[0]"},
        Bad{R"({"benchmarks": [{}]})", "no 'name'"},
        Bad{R"({"benchmarks": [{"name": 5}]})", "'name' is a number"},
        Bad{R"({"benchmarks": [{"name": "x", "time_unit": "h"}]})", "unknown time_unit 'h'"},
        Bad{R"({"benchmarks": [{"name": "x", "real_time": "1"}]})", "'real_time' is a string"},
        Bad{R"({"benchmarks": [{"name": "x", "params": [1]}]})", "'params' is an array"},
        Bad{R"({"benchmarks": [{"name": "x", "error_occurred": 1}]})", "true or false"},
        Bad{R"({"context": 1, "benchmarks": [{"name": "x"}]})", "'context' is a number"},
        Bad{R"({"benchmarks": [{"name": "x", "real_time": 1e999}]})", "unreadable JSON"},
        Bad{"{\"benchmarks\": [{\"name\": \"\xff\"}]}", "not JSON"}));

TEST(Reader, DeepNestingIsRefused) {
  const std::string deep =
      "{\"benchmarks\": " + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_NE(error_of(deep).find("nested more than"), std::string::npos);
}

TEST(Reader, MissingFileAndDirectory) {
  try {
    read_report(kFixtures + "/does-not-exist.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos);
  }
  EXPECT_THROW(read_report(kFixtures), InputError);
}

}  // namespace
}  // namespace parbench::compare
