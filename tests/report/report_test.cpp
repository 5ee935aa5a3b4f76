// A short real run writes a report that keeps Google Benchmark's fields and adds parbench's.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "backends/backend.hpp"
#include "platform/files.hpp"
#include "platform/machine.hpp"
#include "report/results.hpp"
#include "schema/read.hpp"
#include "tests/process.hpp"

namespace parbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using schema::parse_benchmark_json;
using schema::utf8_or_escaped;

class ShortRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("parbench-report-test-" + std::to_string(getpid()));
    path_ = (dir_ / "nested" / "r.json").string();
#if defined(__SANITIZE_THREAD__)
    // No fork under TSan, and the launch kernel forks whatever the backends.
    const std::string backends = "--backends=serial,thread,tbb";
    const std::string kernels = "--kernels=sum";
#else
    const std::string backends = "--backends=serial,thread,fork,openmp,tbb";
    const std::string kernels = "--kernels=sum,launch";
#endif
    // A small calibration array: the default one, beyond the last-level cache, took 100 s of
    // this run's 110 under TSan.
    outcome_ = testing::run_program({PARBENCH_BINARY, kernels, backends, "--workers=2",
                                     "--sizes=4K,64K", "--repetitions=2", "--min-time=0.001",
                                     "--calibration-size=" + std::to_string(kCalibrationElements),
                                     "--out=" + path_});
    std::ifstream in(path_);
    if (in) report_ = json::parse(in, nullptr, false);
  }
  static void TearDownTestSuite() {
    fs::remove_all(dir_);
  }

  static constexpr std::size_t kCalibrationElements = 1 << 20;
  static inline fs::path dir_;
  static inline std::string path_;
  static inline testing::Outcome outcome_;
  static inline json report_;
};

TEST_F(ShortRun, SucceedsAndSaysWhereTheReportIs) {
  ASSERT_EQ(outcome_.status, 0) << outcome_.err;
  EXPECT_NE(outcome_.out.find("report written to " + path_), std::string::npos);
  for (const auto& f : fs::directory_iterator(fs::path(path_).parent_path()))
    EXPECT_EQ(f.path().string(), path_) << "stray file left beside the report";
}

TEST_F(ShortRun, KeepsGoogleBenchmarksContextAndAddsReproducibilityFacts) {
  ASSERT_TRUE(report_.is_object());
  const json& c = report_["context"];
  for (const char* key : {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "caches",
                          "library_build_type"})
    EXPECT_TRUE(c.contains(key)) << key;
  for (const char* key : {"parbench_version",
                          "git_commit",
                          "compiler",
                          "cxx_flags",
                          "build_type",
                          "march_native",
                          "backends",
                          "topology",
                          "usable_cpus",
                          "affinity",
                          "cpu_model",
                          "cpu",
                          "smt",
                          "cache_levels",
                          "governor",
                          "env",
                          "kernel",
                          "read_bandwidth",
                          "calibration",
                          "transparent_hugepages"})
    EXPECT_TRUE(c.contains(key)) << key;
  // Each runtime underneath a backend (OpenMP, oneTBB), under context.runtimes, where no
  // backend's name can overwrite another key of the context.
  ASSERT_TRUE(c.contains("runtimes") && c["runtimes"].is_object());
  for (const auto& b : backends()) {
    EXPECT_EQ(c["runtimes"].contains(b.name), static_cast<bool>(b.runtime)) << b.name;
    EXPECT_FALSE(c.contains(b.name) && b.runtime) << b.name << " at the context's top level";
  }
  EXPECT_GT(c["read_bandwidth"].get<double>(), 1e8);
  EXPECT_EQ(c["calibration"]["bytes"], kCalibrationElements * 8);
}

TEST_F(ShortRun, SaysWhenTheCalibrationArrayFitsInTheCache) {
  const bool fits = kCalibrationElements * 8 <= last_level_cache_bytes();
  EXPECT_EQ(outcome_.err.find("the ceiling is the cache's bandwidth") != std::string::npos, fits)
      << outcome_.err;
}

TEST_F(ShortRun, EveryEntryHasParamsVerifiedAndGoogleBenchmarksFields) {
  ASSERT_TRUE(report_.is_object());
  const json& entries = report_["benchmarks"];
  ASSERT_GT(entries.size(), 10u);
  int sums = 0, speedups = 0;
  for (const json& e : entries) {
    for (const char* key : {"name", "run_name", "run_type", "repetitions", "iterations",
                            "real_time", "cpu_time", "time_unit"})
      ASSERT_TRUE(e.contains(key)) << key << " in " << e.dump();
    ASSERT_TRUE(e.contains("params")) << e["name"];
    EXPECT_EQ(e["verified"], true) << e["name"];
    const json& p = e["params"];
    for (const char* key : {"kernel", "backend", "launch", "policy", "workers"})
      EXPECT_TRUE(p.contains(key)) << key;
    if (p["kernel"] != "sum") continue;
    EXPECT_TRUE(p.contains("size"));
    if (e["run_type"] == "aggregate" && e["aggregate_name"] != "median") continue;
    ++sums;
    EXPECT_GT(e["bytes_per_second"].get<double>(), 0);
    EXPECT_TRUE(e.contains("bandwidth_fraction"));
    if (e.contains("speedup")) {
      ++speedups;
      // Both written with 9 significant digits.
      const double efficiency = e["speedup"].get<double>() / e["workers_obtained"].get<double>();
      EXPECT_NEAR(e["efficiency"].get<double>(), efficiency, 1e-8 * efficiency);
    }
    if (p["backend"] == "fork") {
      EXPECT_TRUE(e.contains("children_cpu_time"));
    }
  }
  EXPECT_GT(sums, 0);
  EXPECT_EQ(speedups, sums);
}

TEST_F(ShortRun, CarriesItsFindingsAndPrintsThemWithinTheConsolesWidth) {
  ASSERT_TRUE(report_.is_object());
  ASSERT_TRUE(report_.contains("findings"));
  std::set<std::string> names;
  for (const json& e : report_["benchmarks"]) names.insert(e["run_name"].get<std::string>());
  for (const json& f : report_["findings"]) {
    for (const auto& name : f["evidence"])
      EXPECT_TRUE(names.count(name.get<std::string>())) << name;
    EXPECT_NE(outcome_.out.find(f["title"].get<std::string>()), std::string::npos) << f["title"];
  }
  EXPECT_EQ(report_["findings"].size(), 7u);
  std::istringstream lines(outcome_.out);
  for (std::string line; std::getline(lines, line);) {
    std::size_t columns = 0;
    for (char c : line) columns += (c & 0xC0) != 0x80;
    EXPECT_LE(columns, 120u) << line;
  }
}

TEST(RoundNumbers, NineSignificantDigitsAndWholeNumbersAsTheyAre) {
  json report = {{"a", 514.1239431726387},
                 {"b", {0.00213137600076152, 3.705400013132021e-05, 7}},
                 {"c", {{"d", 2147483648}, {"e", "text"}, {"f", 1.0}, {"g", nullptr}}},
                 {"h", 123456789012345678.0}};
  round_numbers(report);
  EXPECT_EQ(report["a"].get<double>(), 514.123943);
  EXPECT_EQ(report["b"][0].get<double>(), 0.00213137600);
  EXPECT_EQ(report["b"][1].get<double>(), 3.70540001e-05);
  EXPECT_EQ(report["b"][2], 7);
  EXPECT_TRUE(report["b"][2].is_number_integer());
  EXPECT_EQ(report["c"]["d"], 2147483648);
  EXPECT_EQ(report["c"]["e"], "text");
  EXPECT_EQ(report["c"]["f"].get<double>(), 1.0);
  EXPECT_TRUE(report["c"]["g"].is_null());
  EXPECT_EQ(report["h"].get<double>(), 1.23456789e17);
  EXPECT_EQ(report.dump().find("514.1239431"), std::string::npos) << report.dump();
}

TEST_F(ShortRun, FindingsOfAReportMadeEarlierArePrintedAndWrittenOnlyWhereAsked) {
  ASSERT_TRUE(report_.is_object());
  const std::string copy = (dir_ / "with-findings.json").string();
  const auto before = fs::last_write_time(path_);
  const testing::Outcome o =
      testing::run_program({PARBENCH_BINARY, "--findings=" + path_, "--out=" + copy});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find(report_["findings"][0]["title"].get<std::string>()), std::string::npos);
  EXPECT_EQ(fs::last_write_time(path_), before) << "the report read is left as it was";
  std::ifstream in(copy);
  const json written = json::parse(in, nullptr, false);
  ASSERT_TRUE(written.is_object());
  // The same answers (their figures differ in the last digits: the report's are rounded).
  ASSERT_EQ(written["findings"].size(), report_["findings"].size());
  for (std::size_t i = 0; i < written["findings"].size(); ++i) {
    EXPECT_EQ(written["findings"][i]["answer"], report_["findings"][i]["answer"]);
    EXPECT_EQ(written["findings"][i]["evidence"], report_["findings"][i]["evidence"]);
  }
  EXPECT_EQ(written["benchmarks"].size(), report_["benchmarks"].size());
  fs::remove(copy);

  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{PARBENCH_BINARY, "--findings=" + (dir_ / "none.json").string()},
        {PARBENCH_BINARY, "--findings=" + path_, "--kernels=sum"},
        {PARBENCH_BINARY, "--findings=" + path_, "--out=" + copy + ".gz"},
        {PARBENCH_BINARY, "--findings=/dev/null"}}) {
    const testing::Outcome b = testing::run_program(bad);
    EXPECT_EQ(b.status, 2) << bad[1] << b.err;
    EXPECT_EQ(std::count(b.err.begin(), b.err.end(), '\n'), 1) << b.err;
    EXPECT_FALSE(fs::exists(copy + ".gz"));
  }
}

TEST(DerivedFigures, SpeedupEfficiencyAndKarpFlatt) {
  json report = {
      {"context", {{"read_bandwidth", 10.0}}},
      {"benchmarks",
       {{{"name", "s"},
         {"run_type", "iteration"},
         {"real_time", 8.0},
         {"time_unit", "ms"},
         {"params", {{"kernel", "sum"}, {"backend", "serial"}, {"workers", 1}, {"size", 10}}}},
        {{"name", "p"},
         {"run_type", "iteration"},
         {"real_time", 2500.0},
         {"time_unit", "us"},
         {"bytes_per_second", 5.0},
         {"workers_obtained", 4},
         {"params", {{"kernel", "sum"}, {"backend", "thread"}, {"workers", 4}, {"size", 10}}}},
        {{"name", "other size"},
         {"run_type", "iteration"},
         {"real_time", 1.0},
         {"time_unit", "ms"},
         {"params", {{"kernel", "sum"}, {"backend", "thread"}, {"workers", 4}, {"size", 20}}}}}}};
  add_derived_figures(report);
  const json& p = report["benchmarks"][1];
  EXPECT_DOUBLE_EQ(p["speedup"].get<double>(), 3.2);
  EXPECT_DOUBLE_EQ(p["efficiency"].get<double>(), 0.8);
  // Karp-Flatt: (1/3.2 - 1/4) / (1 - 1/4) = 1/12
  EXPECT_NEAR(p["karp_flatt"].get<double>(), 1.0 / 12, 1e-12);
  EXPECT_DOUBLE_EQ(p["bandwidth_fraction"].get<double>(), 0.5);
  EXPECT_FALSE(report["benchmarks"][2].contains("speedup")) << "no serial run of that size";
}

TEST(WriteAtomically, ReplacesWholeAndLeavesNoTemporaryFile) {
  const fs::path dir = fs::temp_directory_path() / ("parbench-atomic-" + std::to_string(getpid()));
  const std::string path = (dir / "a" / "b.json").string();
  write_atomically(path, "first");
  write_atomically(path, "second");
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "second");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "a"), fs::directory_iterator{}), 1);
  EXPECT_THROW(write_atomically("/proc/nope/x.json", "x"), std::runtime_error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace parbench

namespace parbench {
namespace {

TEST(Utf8, ValidTextStaysAndStrayBytesBecomeHex) {
  EXPECT_EQ(utf8_or_escaped("café ☕ 𝄞"), "café ☕ 𝄞");
  EXPECT_EQ(utf8_or_escaped("caf\xe9"), "caf\\xE9");
  EXPECT_EQ(utf8_or_escaped("\xc0\xaf"), "\\xC0\\xAF");           // overlong '/'
  EXPECT_EQ(utf8_or_escaped("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // a surrogate
  EXPECT_EQ(utf8_or_escaped("\xe2\x82"), "\\xE2\\x82");           // cut short
  EXPECT_NO_THROW(nlohmann::json(utf8_or_escaped("\xff\xfe")).dump());
}

TEST(Utf8, GoogleBenchmarksJsonWithStrayBytesAndBareNanParses) {
  const auto j =
      parse_benchmark_json("{\"executable\": \"/tmp/caf\xe9\", \"x\": nan, \"y\": -inf}");
  EXPECT_EQ(j["executable"], "/tmp/caf\\xE9");
  EXPECT_TRUE(j["x"].is_null());
  EXPECT_TRUE(j["y"].is_null());
}

class JournalFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("parbench-journal-" + std::to_string(getpid()) + ".partial"))
                .string();
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
};

TEST_F(JournalFile, ReadsWhatWasAppendedAndDropsATornLastLine) {
  {
    Journal j = Journal::create(path_);
    ASSERT_TRUE(j.append(session_header({{"git_commit", "abc"}}, {"--kernels=sum"}, {"a", "b"})));
    ASSERT_TRUE(j.append(benchmark_line({"a", nlohmann::json::array({{{"run_name", "a"}}})})));
  }
  std::ofstream(path_, std::ios::app) << "{\"benchmark\": \"b\", \"entr";
  const RunRecord r = read_run_record(path_);
  EXPECT_TRUE(r.from_journal);
  ASSERT_EQ(r.sessions.size(), 1u);
  EXPECT_EQ(r.sessions[0]["session"]["git_commit"], "abc");
  ASSERT_EQ(r.benchmarks.size(), 1u);
  EXPECT_EQ(r.benchmarks[0].name, "a");
  // Going on with it cuts the torn line off first.
  Journal again = Journal::reopen(path_);
  ASSERT_TRUE(again.append(benchmark_line({"b", nlohmann::json::array()})));
  EXPECT_EQ(read_run_record(path_).benchmarks.size(), 2u);
}

TEST_F(JournalFile, ABrokenLineInTheMiddleIsNotAJournal) {
  std::ofstream(path_) << session_header({}, {}, {}).dump() << "\n{broken\n"
                       << benchmark_line({"a", nlohmann::json::array()}).dump() << "\n";
  EXPECT_THROW(read_run_record(path_), std::runtime_error);
}

TEST_F(JournalFile, IsNeverCreatedOverAnotherRunsJournal) {
  Journal first = Journal::create(path_);
  ASSERT_TRUE(first.append(session_header({}, {}, {})));
  try {
    Journal::create(path_);
    FAIL() << "created twice";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another parbench"), std::string::npos) << e.what();
  }
  first = Journal();  // the run ends without removing it: it was killed
  try {
    Journal::create(path_);
    FAIL() << "created over a journal left behind";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--resume="), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace parbench
