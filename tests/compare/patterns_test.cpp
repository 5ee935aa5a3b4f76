// Patterns for --filter and --thresholds, and the thresholds file.
#include "tools/compare/patterns.hpp"

#include <gtest/gtest.h>

#include "schema/report.hpp"
#include "tests/compare/files.hpp"
#include "tools/compare/comparison.hpp"

namespace parbench::compare {
namespace {

const nlohmann::json kParams = {{"kernel", "sum"},   {"backend", "fork"}, {"launch", "pool"},
                                {"policy", "block"}, {"workers", 4},      {"size", 1048576}};

TEST(Glob, StarsAndQuestionMarks) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("sum/*", "sum/thread/pool"));
  EXPECT_TRUE(glob_match("*/pool/*", "sum/thread/pool/block"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_FALSE(glob_match("sum", "sum/thread"));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*b", std::string(40, 'a') + "b"));
  EXPECT_FALSE(glob_match("*a*a*a*a*a*b", std::string(400, 'a')));
}

TEST(Pattern, TaskUnitAsItsNameWritesIt) {
  // A task unit is seconds in params and "unit:1ms" in the benchmark's name.
  const std::optional<nlohmann::json> p =
      nlohmann::json{{"kernel", "sleep"}, {"tasks", "seed"}, {"unit", 0.001}};
  EXPECT_TRUE(matches(parse_pattern("unit=1ms"), p, "n"));
  EXPECT_TRUE(matches(parse_pattern("unit=1000us"), p, "n"));
  EXPECT_TRUE(matches(parse_pattern("unit=0.001"), p, "n"));  // as the JSON writes it
  EXPECT_FALSE(matches(parse_pattern("unit=10ms"), p, "n"));
  EXPECT_FALSE(matches(parse_pattern("unit=1s"), p, "n"));
  EXPECT_FALSE(matches(parse_pattern("unit=ms"), p, "n"));
  const std::optional<nlohmann::json> ten = nlohmann::json{{"unit", 0.01}};
  EXPECT_TRUE(matches(parse_pattern("unit=10ms"), ten, "n"));  // 0.01 is not 10e-3 in binary
}

TEST(Pattern, ConditionsOnParams) {
  const std::optional<nlohmann::json> p = kParams;
  EXPECT_TRUE(matches(parse_pattern("backend=fork"), p, "n"));
  EXPECT_TRUE(matches(parse_pattern("kernel=sum, backend=f*"), p, "n"));
  EXPECT_FALSE(matches(parse_pattern("kernel=sum,backend=thread"), p, "n"));
  EXPECT_TRUE(matches(parse_pattern("workers=4"), p, "n"));
  EXPECT_TRUE(matches(parse_pattern("size=1M"), p, "n"));
  EXPECT_TRUE(matches(parse_pattern("size=1048576"), p, "n"));
  EXPECT_FALSE(matches(parse_pattern("size=64K"), p, "n"));
  EXPECT_FALSE(matches(parse_pattern("tasks=seed"), p, "n"));
  EXPECT_TRUE(matches(parse_pattern("name=BM_*"), std::nullopt, "BM_copy"));
  EXPECT_FALSE(matches(parse_pattern("backend=fork"), std::nullopt, "BM_copy"));
}

TEST(Pattern, BareGlobMatchesNameOrKernel) {
  const std::optional<nlohmann::json> p = kParams;
  EXPECT_TRUE(matches(parse_pattern("sum"), p, "x/y"));
  EXPECT_TRUE(matches(parse_pattern("x/*"), p, "x/y"));
  EXPECT_TRUE(matches(parse_pattern("BM_copy/*"), std::nullopt, "BM_copy/8"));
  EXPECT_FALSE(matches(parse_pattern("launch"), p, "x/y"));
}

TEST(Pattern, BadPatterns) {
  EXPECT_THROW(parse_pattern(""), std::invalid_argument);
  EXPECT_THROW(parse_pattern("backend="), std::invalid_argument);
  EXPECT_THROW(parse_pattern("=fork"), std::invalid_argument);
  EXPECT_THROW(parse_pattern("backend=fork,oops"), std::invalid_argument);
}

TEST(Thresholds, FirstMatchInFileOrderThenDefaults) {
  const Thresholds t =
      parse_thresholds(R"({"backend=fork": 25, "sum": 15, "kernel=sum,backend=fork": 1,
                           "default": 10})");
  ASSERT_EQ(t.rules.size(), 3u);
  EXPECT_EQ(rule_for(t, kParams, "n"), 25);
  nlohmann::json thread = kParams;
  thread["backend"] = "thread";
  EXPECT_EQ(rule_for(t, thread, "n"), 15);
  EXPECT_FALSE(rule_for(t, std::nullopt, "BM_x").has_value());
  EXPECT_EQ(t.fallback, 10);

  CompareSettings s;
  s.thresholds = t;
  EXPECT_EQ(s.threshold_for(std::nullopt, "BM_x"), 10);  // the file's default
  s.fail_above = 7;
  EXPECT_EQ(s.threshold_for(std::nullopt, "BM_x"), 7);  // --fail-above beats the default
  EXPECT_EQ(s.threshold_for(kParams, "n"), 25);         // a matching rule beats both
  s.thresholds = {};
  s.fail_above.reset();
  s.threshold = 3;
  EXPECT_EQ(s.threshold_for(kParams, "n"), 3);
}

TEST(Thresholds, BadFiles) {
  EXPECT_THROW(parse_thresholds("[1]"), InputError);
  EXPECT_THROW(parse_thresholds("{\"sum\": \"ten\"}"), InputError);
  EXPECT_THROW(parse_thresholds("{\"sum\": -1}"), InputError);
  EXPECT_THROW(parse_thresholds("{\"backend=\": 1}"), InputError);
  EXPECT_THROW(parse_thresholds("{\"sum\": 1"), InputError);
  EXPECT_THROW(read_thresholds("/nonexistent/thresholds.json"), InputError);
}

std::string thresholds_error(const std::string& path) {
  try {
    read_thresholds(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Thresholds, OnlySmallRegularFilesAreRead) {
  const testing::TempDir dir;
  EXPECT_EQ(thresholds_error("/dev/zero"), "is a device, not a thresholds file");
  EXPECT_EQ(thresholds_error(dir.fifo("t.json")),
            "is a FIFO (named pipe), not a thresholds file: only regular files are read");
  EXPECT_EQ(thresholds_error(dir.sparse("big.json", kMaxThresholdsBytes + 1)),
            "larger than 1 MiB: not a thresholds file");
  EXPECT_EQ(thresholds_error(dir.write("ok.json", R"({"default": 3})")), "");
}

}  // namespace
}  // namespace parbench::compare
