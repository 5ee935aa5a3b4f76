// The reader of the schema: journals split with a torn last line dropped, journals told from
// reports, Google Benchmark's non-finite words, and what it refuses. How parbench-compare and
// parbench --resume use it is tested with them (tests/compare/, tests/report/report_test.cpp).
#include "schema/read.hpp"
#include "schema/registry.hpp"
#include "schema/text.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

namespace parbench::schema {
namespace {

using nlohmann::json;

const std::string kHeader =
    R"({"parbench_journal": 1, "session": {"host_name": "h"}, "arguments": ["--kernels=sum"]})";
const std::string kA = R"({"benchmark": "a", "entries": [{"name": "a", "real_time": 1}]})";
const std::string kB = R"({"benchmark": "b", "entries": [{"name": "b", "real_time": 2}]})";

// The message `read` throws, or "" when it throws none.
template <typename Read>
std::string error_of(Read read) {
  try {
    read();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string split_error(const std::string& text) {
  return error_of([&] { split_journal(text); });
}

TEST(SplitJournal, KeepsSessionHeadersWholeAndBenchmarksInOrder) {
  const std::string text = kHeader + "\n" + kA + "\n" + kHeader + "\n" + kA + "\n" + kB + "\n";
  const JournalContents j = split_journal(text);
  ASSERT_EQ(j.sessions.size(), 2u);
  EXPECT_EQ(j.sessions[0]["arguments"], json::array({"--kernels=sum"}));
  ASSERT_EQ(j.benchmarks.size(), 3u);  // a resumed run's second "a" is kept: the reader decides
  EXPECT_EQ(j.benchmarks[1].name, "a");
  EXPECT_EQ(j.benchmarks[1].line, 4u);
  EXPECT_EQ(j.benchmarks[2].entries[0]["real_time"], 2);
  EXPECT_EQ(j.whole_bytes, text.size());
}

TEST(SplitJournal, DropsALastLineWithoutItsNewlineWhateverItHolds) {
  const std::string whole = kHeader + "\n" + kA + "\n";
  for (const std::string& torn : {std::string(R"({"benchmark": "b", "entr)"), kB}) {
    const JournalContents j = split_journal(whole + torn);
    ASSERT_EQ(j.benchmarks.size(), 1u) << torn;
    EXPECT_EQ(j.whole_bytes, whole.size()) << torn;
  }
}

TEST(SplitJournal, DropsABadLastLineEvenWithItsNewline) {
  const std::string whole = kHeader + "\n" + kA + "\n";
  const JournalContents j = split_journal(whole + "{\"bench\n");
  EXPECT_EQ(j.benchmarks.size(), 1u);
  EXPECT_EQ(j.whole_bytes, whole.size());  // what a resumed run cuts off
}

TEST(SplitJournal, RefusesABadLineAnywhereElse) {
  EXPECT_EQ(split_error(kHeader + "\n{broken\n" + kA + "\n"),
            "not a parbench journal: line 2 is not JSON (at column 2: syntax error while parsing "
            "object key - invalid literal; last read: '{b'; expected string literal)");
  // Only one line can be torn: a bad line before a torn one is not a tear.
  EXPECT_NE(split_error(kHeader + "\n{broken\n" + R"({"bench)").find("line 2 is not JSON"),
            std::string::npos);
  EXPECT_EQ(split_error(kHeader + "\n[1]\n" + kA + "\n"),
            "not a parbench journal: line 2 is an array, not an object");
  EXPECT_EQ(split_error(kHeader + "\n{\"note\": 1}\n" + kA + "\n"),
            "not a parbench journal: line 2 is neither a session header nor a finished benchmark");
}

TEST(SplitJournal, RefusesHeadersAndBenchmarksOfTheWrongShape) {
  EXPECT_EQ(split_error(R"({"parbench_journal": 2, "session": {}})"
                        "\n"),
            "journal line 1: journal format 2 is not known (this parbench reads format 1)");
  EXPECT_EQ(split_error(R"({"parbench_journal": 1})"
                        "\n"),
            "journal line 1: the session header's 'session' is missing, not an object");
  EXPECT_EQ(split_error(kHeader + "\n" + R"({"benchmark": 7, "entries": []})" + "\n"),
            "journal line 2: 'benchmark' is a number, not a string");
  EXPECT_EQ(split_error(kHeader + "\n" + R"({"benchmark": "a"})" + "\n"),
            "journal line 2: 'entries' is missing, not an array");
}

TEST(SplitJournal, RefusesAJournalWithoutAWholeSessionHeader) {
  EXPECT_NE(split_error(kHeader).find("no session header is whole yet"), std::string::npos);
  EXPECT_NE(split_error("").find("no session header is whole yet"), std::string::npos);
}

TEST(ParseJson, NonFiniteWordsReadAsNullOutsideStrings) {
  const json v = parse_json(R"([NaN, -NaN, Infinity, -Infinity, "NaN \"Infinity\"", 1])");
  EXPECT_EQ(v, json::parse(R"([null, null, null, null, "NaN \"Infinity\"", 1])"));
}

TEST(ParseJson, SaysWhyTextIsNotJson) {
  const auto why = [](std::string_view text) { return error_of([&] { parse_json(text); }); };
  EXPECT_EQ(why("[1, 2"),
            "truncated JSON: it ends in the middle of a value (at line 1, column 6: syntax error "
            "while parsing array - unexpected end of input; expected ']')");
  EXPECT_EQ(why("[1, x]").rfind("not JSON (at line 1, column 5: ", 0), 0u) << why("[1, x]");
  EXPECT_EQ(why(std::string(1000, '[') + std::string(1000, ']')),
            "not a report: JSON nested more than 64 levels deep");
  EXPECT_EQ(why(std::string(kMaxDepth, '[') + std::string(kMaxDepth, ']')), "");
}

TEST(TellJournalFromReport, ByTheFirstLine) {
  EXPECT_TRUE(is_journal(kHeader + "\n" + kA + "\n"));
  EXPECT_TRUE(is_journal(kHeader));
  EXPECT_FALSE(is_journal(R"({"context": {"parbench_journal": 1}, "benchmarks": []})"));
  EXPECT_FALSE(is_journal("{\n  \"parbench_journal\": 1,\n  \"session\": {}\n}\n"));
  EXPECT_FALSE(is_journal(R"({"parbench_journal": 1, "sess)"));
}

TEST(ParseContents, GivesAJournalOrAReport) {
  const Contents journal = parse_contents(kHeader + "\n" + kA + "\n");
  ASSERT_TRUE(std::holds_alternative<JournalContents>(journal));
  EXPECT_EQ(std::get<JournalContents>(journal).benchmarks.size(), 1u);

  const Contents report =
      parse_contents(R"({"context": {"host_name": "h"}, "benchmarks": [{"name": "a", "x": NaN}]})");
  ASSERT_TRUE(std::holds_alternative<ReportContents>(report));
  const ReportContents& r = std::get<ReportContents>(report);
  EXPECT_EQ(r.context["host_name"], "h");
  EXPECT_TRUE(r.benchmarks[0]["x"].is_null());

  EXPECT_EQ(std::get<ReportContents>(parse_contents(R"({"benchmarks": []})")).context,
            json::object());
}

TEST(ParseContents, RefusesWhatIsNeither) {
  const auto why = [](std::string_view text) { return error_of([&] { parse_contents(text); }); };
  EXPECT_EQ(why(" \n"), "empty file, not JSON");
  EXPECT_EQ(why("[1]"),
            "not a benchmark report: the JSON is an array, not an object with a 'benchmarks' "
            "array");
  EXPECT_EQ(why(R"({"context": {}})"), "not a benchmark report: no 'benchmarks' array");
  EXPECT_EQ(why(R"({"benchmarks": {}})"),
            "not a benchmark report: 'benchmarks' is an object, not an array");
  EXPECT_EQ(why(R"({"context": 1, "benchmarks": []})"), "'context' is a number, not an object");
}

TEST(Gzip, IsKnownByItsFirstTwoBytes) {
  EXPECT_TRUE(is_gzip("\x1f\x8b\x08"));
  EXPECT_FALSE(is_gzip("\x1f"));
  EXPECT_FALSE(is_gzip("{\"benchmarks\": []}"));
}

class SchemaFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("parbench-schema-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SchemaFiles, ReadsARegularFileAndRefusesTheRest) {
  const std::string path = (dir_ / "r.json").string();
  std::ofstream(path) << "{\"benchmarks\": []}";
  EXPECT_EQ(read_report_text(path), "{\"benchmarks\": []}");
  const std::string big = (dir_ / "big.json").string();
  std::ofstream{big};
  std::filesystem::resize_file(big, (std::size_t{1} << 20) + 1);  // sparse: nothing is written
  EXPECT_EQ(error_of([&] { read_report_text(big, std::size_t{1} << 20); }),
            "larger than 1 MiB: not a report");
  EXPECT_EQ(error_of([&] { read_report_text(dir_.string()); }), "is a directory, not a report");
  EXPECT_EQ(error_of([&] { read_regular_file(dir_.string(), kMaxReportBytes, "a journal"); }),
            "is a directory, not a journal");
  EXPECT_EQ(error_of([&] { read_report_text((dir_ / "none").string()); }),
            "cannot open: No such file or directory");
}

}  // namespace
}  // namespace parbench::schema

namespace parbench::schema {
namespace {

// The registry a report carries, as every C++ reader asks it: policies by kernel, any grain
// aside; launches that make workers per job; a report older than the registry falls back.
TEST(ReportedRegistry, AnswersByKernelBackendAndPolicy) {
  const nlohmann::json context = nlohmann::json::parse(R"({"backends": [
    {"name": "serial", "reference": true, "sum_policies": [{"name": "serial", "split": "block"}]},
    {"name": "thread", "launches": ["spawn", "pool"], "workers_per_job": ["spawn"],
     "sum_policies": [{"name": "dynamic", "split": "dynamic", "takes_grain": true}],
     "task_policies": [{"name": "lpt", "split": "dynamic", "longest_first": true}]}]})");
  const ReportedBackends r = read_registry(context);
  ASSERT_TRUE(r.from_report);
  ASSERT_NE(r.reference(), nullptr);
  EXPECT_EQ(r.reference()->name, "serial");
  ASSERT_NE(r.policy("sum", "thread", "dynamic:4096"), nullptr);
  EXPECT_EQ(r.policy("sum", "thread", "dynamic:4096")->split, "dynamic");
  EXPECT_EQ(r.policy("sleep", "thread", "dynamic"), nullptr);  // a sum policy, not a task one
  ASSERT_NE(r.policy("spin", "thread", "lpt"), nullptr);
  EXPECT_TRUE(r.policy("spin", "thread", "lpt")->longest_first);
  EXPECT_EQ(r.policy("sum", "absent", "dynamic"), nullptr);
  EXPECT_TRUE(r.workers_per_job("thread", "spawn"));
  EXPECT_FALSE(r.workers_per_job("thread", "pool"));
  EXPECT_TRUE(r.splits_work("sum", "thread", "dynamic:64"));
  EXPECT_FALSE(r.splits_work("launch", "thread", "dispatch"));

  const ReportedBackends old = read_registry(nlohmann::json::object());
  EXPECT_FALSE(old.from_report);
  EXPECT_EQ(old.reference()->name, "serial");
}

TEST(ReportedRegistry, RefusesWhatWouldBeAmbiguous) {
  for (const char* bad : {R"({"backends": {}})", R"({"backends": [{"reference": true}]})",
                          R"({"backends": [{"name": "a"}, {"name": "a"}]})",
                          R"({"backends": [{"name": "a", "workers_per_job": "spawn"}]})",
                          R"({"backends": [{"name": "a", "reference": true},
                                           {"name": "b", "reference": true}]})"})
    EXPECT_THROW(read_registry(nlohmann::json::parse(bad)), InputError) << bad;
}

TEST(Text, PrintableAndJoined) {
  EXPECT_EQ(printable("a\x01\x7f"
                      "b"),
            "a??b");
  EXPECT_EQ(printable(std::string(100, 'x')), std::string(80, 'x') + "...");
  EXPECT_EQ(printable(std::string(100, 'x'), std::string::npos), std::string(100, 'x'));
  EXPECT_EQ(joined({"a", "b", "c"}), "a, b, c");
  EXPECT_EQ(joined({"a", "b", "c"}, " or "), "a, b or c");
  EXPECT_EQ(joined({}), "");
}

}  // namespace
}  // namespace parbench::schema
