// The report reader: good reports with and without params, and every kind of bad input.
#include "schema/report.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "tests/compare/files.hpp"
#include "tools/compare/metrics.hpp"

namespace parbench::compare {
namespace {

const std::string kFixtures = PARBENCH_COMPARE_FIXTURES;

using testing::error_of;

std::string read_error(const std::string& path) {
  try {
    read_report(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
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

// --- Files that are not reports: refused before anything is read from them ---------------

TEST(ReaderFiles, DevicesFifosAndFoldersAreRefusedWithoutReading) {
  const testing::TempDir dir;
  EXPECT_EQ(read_error("/dev/zero"), "is a device, not a report");
  EXPECT_EQ(read_error(dir.fifo("report.json")),
            "is a FIFO (named pipe), not a report: only regular files are read");
  EXPECT_EQ(read_error(kFixtures), "is a directory, not a report");
}

TEST(ReaderFiles, ReportsLargerThanTheCapAreRefusedBeforeReading) {
  const testing::TempDir dir;
  EXPECT_EQ(read_error(dir.sparse("huge.json", kMaxReportBytes + 1)),
            "larger than 512 MiB: not a report");
}

TEST(ReaderFiles, GzipBombStopsAtTheCapWhileInflating) {
  // 64 members of 1 MiB of zeros: 64 MiB once inflated, from about 64 KB, against a 1 MiB cap
  // (the cap of 512 MiB would make the test slow under the sanitizers). The file ends in half
  // a member: a reader that inflated it all before looking at the size would say it is torn.
  const std::string member = testing::gzip(std::string(std::size_t{1} << 20, '\0'));
  std::string bomb;
  for (int i = 0; i < 64; ++i) bomb += member;
  bomb += member.substr(0, member.size() / 2);
  const testing::TempDir dir;
  const std::string path = dir.write("bomb.json.gz", bomb);
  try {
    read_report(path, std::size_t{1} << 20);
    FAIL() << "the bomb was read";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "larger than 1 MiB once decompressed: not a report");
  }
}

TEST(ReaderFiles, GzipOfSeveralMembersReadsAsTheirConcatenation) {
  std::ifstream in(kFixtures + "/parbench_b.json", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t half = text.size() / 2;
  const testing::TempDir dir;
  const std::string path = dir.write(
      "two.json.gz", testing::gzip(text.substr(0, half)) + testing::gzip(text.substr(half)));
  EXPECT_EQ(read_report(path).entries.size(), parse_report(text, "b").entries.size());
}

// --- Unfinished runs: incomplete reports and journals ----------------------------------------

TEST(Completeness, OldReportWithoutTheKeyIsComplete) {
  const Report r = read_report(kFixtures + "/parbench_a.json");
  EXPECT_TRUE(r.completeness.complete);
  EXPECT_FALSE(r.completeness.journal);
  EXPECT_EQ(completeness_note(r.path, r.completeness), std::nullopt);
}

TEST(Completeness, IncompleteReportSaysWhatWasNotRunAndWhy) {
  const Report r = read_report(kFixtures + "/incomplete.json");
  EXPECT_FALSE(r.completeness.complete);
  EXPECT_EQ(r.completeness.interrupted, "SIGINT");
  EXPECT_EQ(r.completeness.not_run, 2u);
  EXPECT_EQ(r.entries.size(), 4u * 6);  // serial..openmp, each 5 repetitions and a median
  EXPECT_EQ(completeness_note("x.json", r.completeness),
            "x.json is incomplete: 2 benchmarks not run (interrupted by SIGINT)");
}

TEST(Completeness, NotesForEachKindOfEnd) {
  Completeness c;
  EXPECT_EQ(completeness_note("x", c), std::nullopt);
  c.complete = false;
  EXPECT_EQ(completeness_note("x", c), "x is incomplete");
  c.not_run = 1;
  c.interrupted = "timeout";
  EXPECT_EQ(completeness_note("x", c),
            "x is incomplete: 1 benchmark not run (stopped by its timeout)");
  c.journal = true;
  c.finished = 1;
  EXPECT_EQ(completeness_note("x", c),
            "x is a journal of an unfinished run (1 benchmark finished)");
}

TEST(Completeness, ContextFields) {
  const auto with = [](const std::string& context) {
    return parse_report(R"({"context": )" + context + R"(, "benchmarks": [{"name": "a"}]})", "x")
        .completeness;
  };
  EXPECT_TRUE(with(R"({"complete": true, "interrupted": "SIGINT"})").complete);
  const Completeness c = with(R"({"complete": false, "interrupted": null})");
  EXPECT_FALSE(c.complete);
  EXPECT_FALSE(c.interrupted.has_value());
  EXPECT_FALSE(c.not_run.has_value());
  EXPECT_EQ(with(R"({"complete": false, "interrupted": "SIG\nHUP"})").interrupted, "SIG?HUP");
}

TEST(Journal, ReadsAsTheReportItWillBecome) {
  const Report r = read_report(kFixtures + "/journal.json.partial");
  EXPECT_TRUE(r.completeness.journal);
  EXPECT_FALSE(r.completeness.complete);
  EXPECT_EQ(r.completeness.finished, 4u);              // fork twice counts once; tbb was torn off
  EXPECT_EQ(r.context["host_name"], "alpha-resumed");  // the last session's context
  EXPECT_EQ(r.context["complete"], false);
  EXPECT_EQ(r.context["journal"], true);
  ASSERT_EQ(r.entries.size(), 4u * 6);
  std::vector<std::string> backends;
  for (const auto& e : r.entries)
    if (backends.empty() || backends.back() != (*e.params)["backend"])
      backends.push_back((*e.params)["backend"]);
  EXPECT_EQ(backends, (std::vector<std::string>{"serial", "thread", "fork", "openmp"}));
  for (const auto& e : r.entries) {
    if ((*e.params)["backend"] == "fork" && !e.aggregate) {
      EXPECT_LT(e.fields["real_time"].get<double>(), 62);  // the later line: 60 us, not 120
    }
  }
  EXPECT_EQ(completeness_note("j", r.completeness),
            "j is a journal of an unfinished run (4 benchmarks finished)");
}

const std::string kHeader = R"({"parbench_journal": 1, "session": {"host_name": "h"}})";
const std::string kLine = R"({"benchmark": "a", "entries": [{"name": "a", "real_time": 1}]})";
const std::string kOther = R"({"benchmark": "b", "entries": [{"name": "b", "real_time": 2}]})";

TEST(Journal, TornLastLineIsIgnored) {
  for (const std::string& torn :
       {std::string(R"({"benchmark": "b", "entr)"), kOther, std::string(R"({"bench)") + "\n"}) {
    const Report r = parse_report(kHeader + "\n" + kLine + "\n" + torn, "j");
    ASSERT_EQ(r.entries.size(), 1u) << torn;
    EXPECT_EQ(r.entries[0].name, "a");
  }
}

TEST(Journal, OneLineReportIsNotAJournal) {
  const Report r =
      parse_report(R"({"context": {"parbench_journal": 1}, "benchmarks": [{"name": "a"}]})", "x");
  EXPECT_FALSE(r.completeness.journal);
}

// A journal's lines, each with its newline.
std::string journal(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

struct BadJournalCase {
  std::vector<std::string> lines;
  const char* says;
};

class BadJournal : public ::testing::TestWithParam<BadJournalCase> {};

TEST_P(BadJournal, SaysWhatIsWrong) {
  const std::string message = error_of(journal(GetParam().lines));
  EXPECT_TRUE(contains(message, GetParam().says)) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadJournal,
    ::testing::Values(
        BadJournalCase{{kHeader, R"({"benchmark": "a", "ent)", kOther},
                       "not a parbench journal: line 2 is truncated JSON"},
        BadJournalCase{{kHeader, "[1]", kOther},
                       "not a parbench journal: line 2 is an array, not an object"},
        BadJournalCase{{kHeader, R"({"note": 1})", kOther},
                       "line 2 is neither a session header nor a finished benchmark"},
        BadJournalCase{{R"({"parbench_journal": 2, "session": {}})", kLine},
                       "journal line 1: journal format 2 is not known"},
        BadJournalCase{{R"({"parbench_journal": 1, "session": []})", kLine},
                       "journal line 1: the session header's 'session' is an array"},
        BadJournalCase{{kHeader, R"({"benchmark": "a", "entries": {}})"},
                       "journal line 2: 'entries' is an object, not an array"},
        BadJournalCase{{kHeader, R"({"benchmark": 7, "entries": []})"},
                       "journal line 2: 'benchmark' is a number, not a string"},
        BadJournalCase{
            {kHeader, R"({"benchmark": "a", "entries": [{"name": "a", "time_unit": "h"}]})"},
            "journal line 2: entries[0] ('a'): unknown time_unit 'h'"},
        BadJournalCase{{kHeader}, "no benchmark has finished yet"},
        BadJournalCase{{R"({"parbench_journal": 1, "session": {"not_run": 3}})", kLine},
                       "'context.not_run' is a number"}));

INSTANTIATE_TEST_SUITE_P(
    Completeness, BadInput,
    ::testing::Values(
        Bad{R"({"context": {"complete": "no"}, "benchmarks": [{"name": "x"}]})",
            "'context.complete' is a string, not true or false"},
        Bad{R"({"context": {"complete": false, "interrupted": 2}, "benchmarks": [{"name": "x"}]})",
            "'context.interrupted' is a number, not a string or null"},
        Bad{R"({"context": {"not_run": ["a", 1]}, "benchmarks": [{"name": "x"}]})",
            "'context.not_run' is an array, not an array of benchmark names"}));

}  // namespace
}  // namespace parbench::compare
