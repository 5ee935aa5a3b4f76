// A report's life cycle as a user meets it: an existing report is never emptied or replaced by
// anything but a whole new one, an interrupted run saves what finished, --resume finishes it,
// and bad input, a closed stdout, a full disk or a hung job lose nothing.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/process.hpp"

namespace parbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Outcome;
using testing::run_program;
using testing::Started;

const std::string kOld = "{\"an\": \"earlier report\"}\n";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

json read_json(const fs::path& p) {
  return json::parse(read_file(p), nullptr, false);
}

// Every selected benchmark's run names, counted: each must appear exactly once in a report.
std::map<std::string, int> runs_of(const json& report) {
  std::map<std::string, int> runs;
  for (const auto& e : report["benchmarks"])
    if (e.value("run_type", "") == "iteration" && e.value("repetition_index", 0) == 0)
      ++runs[e.value("run_name", "")];
  return runs;
}

// The processes whose parent is `pid`: its workers, while it lives; any left after it ended
// would be its orphans' (they are reparented, so none should be found).
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> children;
  for (const auto& d : fs::directory_iterator("/proc")) {
    std::ifstream stat(d.path() / "stat");
    std::string line;
    if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) continue;
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    char state;
    pid_t parent;
    rest >> state >> parent;
    if (parent == pid) children.push_back(std::stoi(d.path().filename().string()));
  }
  return children;
}

class LifeCycle : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("parbench-life-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    out_ = (dir_ / "r.json").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A small run, a few seconds long, with a task set long enough to be interrupted in. A flag
  // in `changes` replaces the default of the same name (all of a repeatable flag's defaults).
  std::vector<std::string> args(const std::vector<std::string>& changes = {},
                                const std::string& unit = "2ms") {
    std::vector<std::string> defaults = {"--kernels=sum,sleep",
                                         "--backends=serial,thread,fork",
                                         "--sizes=4K",
                                         "--workers=2",
                                         "--tasks=seed",
                                         "--unit=" + unit,
                                         "--repetitions=2",
                                         "--min-time=0.001",
                                         "--calibration-size=256K"};
    auto flag_of = [](const std::string& a) { return a.substr(0, a.find('=')); };
    std::vector<std::string> a = {PARBENCH_BINARY};
    for (const auto& d : defaults) {
      bool changed = false;
      for (const auto& c : changes) changed |= flag_of(c) == flag_of(d);
      if (!changed) a.push_back(d);
    }
    a.insert(a.end(), changes.begin(), changes.end());
    return a;
  }
  std::vector<std::string> args_out(std::vector<std::string> changes = {},
                                    const std::string& unit = "2ms") {
    changes.push_back("--out=" + out_);
    return args(changes, unit);
  }
  void write_old() { std::ofstream(out_) << kOld; }

  // Starts a run and waits until `benchmarks` have finished (by its progress lines).
  static void wait_for_progress(const Started& s, int benchmarks) {
    std::string mark = "[";
    mark += std::to_string(benchmarks);
    mark += '/';
    for (int i = 0; i < 3000 && s.err_so_far().find(mark) == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  fs::path dir_;
  std::string out_;
};

TEST_F(LifeCycle, AnExistingReportOutlivesABadFlagAndAnEmptySelection) {
  write_old();
  for (const char* flag : {"--benchmark_foo=1", "--benchmark_filter=nomatch"}) {
    const Outcome o = run_program(args_out({flag}));
    EXPECT_EQ(o.status, 2) << flag << o.err;
    EXPECT_EQ(read_file(out_), kOld) << flag;
    EXPECT_FALSE(fs::exists(out_ + ".partial")) << flag;
  }
}

TEST_F(LifeCycle, ResumingACompleteReportRunsNothingAndKeepsIt) {
  ASSERT_EQ(run_program(args_out({"--kernels=sum", "--backends=serial"})).status, 0);
  const std::string before = read_file(out_);
  const Outcome o = run_program({PARBENCH_BINARY, "--resume=" + out_});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.err.find("is complete: nothing to resume"), std::string::npos) << o.err;
  EXPECT_EQ(o.err.find("measuring"), std::string::npos) << "nothing runs";
  EXPECT_EQ(read_file(out_), before);
  EXPECT_FALSE(fs::exists(out_ + ".partial"));
}

TEST_F(LifeCycle, RefusesToReplaceWhatIsNotARegularFile) {
  const std::string fifo = (dir_ / "fifo").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& target : {std::string("/dev/null"), fifo, dir_.string()}) {
    const Outcome o = run_program(args({"--out=" + target}));
    EXPECT_EQ(o.status, 2) << target;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
    EXPECT_NE(o.err.find("will not replace"), std::string::npos) << o.err;
  }
  struct stat st {};
  ASSERT_EQ(stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  ASSERT_EQ(stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST_F(LifeCycle, WritesThroughASymlinkToItsTarget) {
  const fs::path target = dir_ / "target.json";
  const fs::path link = dir_ / "link.json";
  std::ofstream(target) << kOld;
  fs::create_symlink(target, link);
  const Outcome o = run_program(args({"--kernels=sum", "--out=" + link.string()}));
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_TRUE(read_json(target)["context"]["complete"].get<bool>());
}

TEST_F(LifeCycle, KeepsBytesThatAreNotUtf8) {
  const std::string out = (dir_ / "caf\xe9.json").string();
  Started s(args({"--kernels=sum", "--out=" + out}), {"PARBENCH_NOTE=caf\xe9"});
  const Outcome o = s.wait();
  ASSERT_EQ(o.status, 0) << o.err;
  const json report = read_json(out);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["context"]["env"]["PARBENCH_NOTE"], "caf\\xE9");
  EXPECT_NE(report["context"]["command_line"].get<std::string>().find("caf\\xE9.json"),
            std::string::npos);
}

TEST_F(LifeCycle, AClosedStdoutLosesNothing) {
  const std::string command = "\"$@\" | head -1 > /dev/null; exit ${PIPESTATUS[0]}";
  std::vector<std::string> a = {"/bin/bash", "-c", command, "parbench"};
  for (const auto& x : args_out({"--kernels=sum"})) a.push_back(x);
  const Outcome o = run_program(a);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(read_json(out_)["context"]["complete"].get<bool>());
}

TEST_F(LifeCycle, DefaultNamesNeverCollide) {
  std::string command =
      "cd \"$1\" && shift && for i in 1 2 3; do \"$@\" > /dev/null 2>&1 & done; wait";
  std::vector<std::string> a = {"/bin/bash", "-c", command, "parbench", dir_.string()};
  for (const auto& x : args({"--kernels=sum"})) a.push_back(x);
  ASSERT_EQ(run_program(a).status, 0);
  int reports = 0;
  for (const auto& f : fs::directory_iterator(dir_ / "reports" / "local")) {
    EXPECT_EQ(f.path().extension(), ".json") << f.path();
    reports += read_json(f.path()).is_object();
  }
  EXPECT_EQ(reports, 3);
}

TEST_F(LifeCycle, TimesAndRepetitionsMustBeSane) {
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{PARBENCH_BINARY, "--min-time=inf"},
        {PARBENCH_BINARY, "--min-time=7200"},
        {PARBENCH_BINARY, "--benchmark_min_time=inf"},
        {PARBENCH_BINARY, "--benchmark_repetitions=0"},
        {PARBENCH_BINARY, "--job-timeout=0"},
        {PARBENCH_BINARY, "--resume=x.json", "--kernels=sum"}}) {
    const Outcome o = run_program(bad);
    EXPECT_EQ(o.status, 2) << bad[1] << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  }
}

TEST_F(LifeCycle, ListingTestsRunsNothingAndWritesNothing) {
  const Outcome o = run_program(args_out({"--benchmark_list_tests=true"}));
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("sum/serial/block/workers:1/bytes:32KiB"), std::string::npos) << o.out;
  EXPECT_FALSE(fs::exists(out_));
  EXPECT_FALSE(fs::exists(out_ + ".partial"));
}

TEST_F(LifeCycle, AThreadThatCannotBeCreatedFailsItsBenchmarkOnly) {
  // Root is not held to RLIMIT_NPROC: the run drops to nobody for it.
  std::vector<std::string> a;
  if (geteuid() == 0) {
    if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "no setpriv to drop root with";
    a = {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};
    std::vector<std::string> probe = a;
    probe.insert(probe.end(), {"/usr/bin/test", "-x", PARBENCH_BINARY});
    if (run_program(probe).status != 0)
      GTEST_SKIP() << "nobody cannot reach " << PARBENCH_BINARY << " (a private folder above it)";
    fs::permissions(dir_, fs::perms::all);
  }
  a.insert(a.end(), {"/usr/bin/prlimit", "--nproc=12"});
  // Pools only: threads spawned per job may end before the last one is made, and then fit.
  for (const auto& x : args_out({"--kernels=sum", "--backends=serial,thread,openmp,tbb",
                                 "--launch=pool,team,arena", "--workers=2,64", "--repetitions=1"}))
    a.push_back(x);
  const Outcome o = run_program(a);
  ASSERT_EQ(o.status, 0) << o.err;
  int failed = 0, fine = 0;
  const json report = read_json(out_);
  for (const auto& e : report["benchmarks"]) {
    const bool wide = e.value("name", "").find("workers:64") != std::string::npos;
    EXPECT_EQ(e.value("error_occurred", false), wide) << e.value("name", "");
    (wide ? failed : fine) += 1;
    if (wide) {
      EXPECT_NE(e.value("error_message", "").find("create"), std::string::npos);
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_GT(fine, 0);
}

TEST_F(LifeCycle, InterruptedRunWritesAValidPartialReportAndResumeFinishesIt) {
  write_old();
  Started s(args_out({}, "20ms"));
  wait_for_progress(s, 3);
  kill(s.pid(), SIGINT);
  const pid_t pid = s.pid();
  const Outcome o = s.wait();
  EXPECT_EQ(o.status, 130) << o.err;
  EXPECT_TRUE(children_of(pid).empty());
  const json partial = read_json(out_);
  ASSERT_TRUE(partial.is_object()) << o.err;
  EXPECT_FALSE(partial["context"]["complete"].get<bool>());
  EXPECT_EQ(partial["context"]["interrupted"], "SIGINT");
  EXPECT_GT(partial["context"]["not_run"].size(), 0u);
  EXPECT_GE(runs_of(partial).size(), 3u);
  EXPECT_NE(o.err.find("--resume="), std::string::npos) << o.err;

  const Outcome r = run_program({PARBENCH_BINARY, "--resume=" + out_});
  ASSERT_EQ(r.status, 0) << r.err;
  const json whole = read_json(out_);
  EXPECT_TRUE(whole["context"]["complete"].get<bool>());
  EXPECT_EQ(whole["context"]["sessions"].size(), 2u);
  const auto runs = runs_of(whole);
  EXPECT_EQ(runs.size(), 30u);
  for (const auto& [name, n] : runs) EXPECT_EQ(n, 1) << name;
  for (const auto& [name, n] : runs_of(partial)) EXPECT_EQ(runs.count(name), 1u) << name;
  EXPECT_FALSE(fs::exists(out_ + ".partial"));
}

TEST_F(LifeCycle, ASecondSignalEndsAtOnceAndLosesNothing) {
  write_old();
  Started s(args_out({"--sizes=4K,1M"}, "20ms"));
  wait_for_progress(s, 3);
  kill(s.pid(), SIGINT);
  kill(s.pid(), SIGINT);
  EXPECT_EQ(s.wait().status, 130);
  // Either the partial report was in place before the second signal, or the old one stays.
  const json report = read_json(out_);
  EXPECT_TRUE(read_file(out_) == kOld ||
              (report.is_object() && !report["context"]["complete"].get<bool>()));
  EXPECT_TRUE(fs::exists(out_ + ".partial"));
  for (const auto& f : fs::directory_iterator(dir_))
    EXPECT_EQ(f.path().string().find(".tmp."), std::string::npos) << f.path();
}

TEST_F(LifeCycle, KilledRunLeavesTheOldReportAndAJournalToResume) {
  write_old();
  Started s(args_out({}, "20ms"));
  wait_for_progress(s, 3);
  kill(s.pid(), SIGKILL);
  s.wait();
  EXPECT_EQ(read_file(out_), kOld);
  ASSERT_TRUE(fs::exists(out_ + ".partial"));
  const Outcome again = run_program(args_out());
  EXPECT_EQ(again.status, 2) << "a new run must not overwrite the journal";
  EXPECT_NE(again.err.find("--resume="), std::string::npos) << again.err;

  const Outcome r = run_program({PARBENCH_BINARY, "--resume=" + out_ + ".partial"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto runs = runs_of(read_json(out_));
  EXPECT_EQ(runs.size(), 30u);
  for (const auto& [name, n] : runs) EXPECT_EQ(n, 1) << name;
}

TEST_F(LifeCycle, ResumeRefusesAnotherBuildUnlessAskedTo) {
  Started s(args_out({}, "20ms"));
  wait_for_progress(s, 3);
  kill(s.pid(), SIGTERM);
  EXPECT_EQ(s.wait().status, 128 + SIGTERM);
  // The journal as another build would have left it.
  const std::string journal = out_ + ".partial";
  std::string text = read_file(journal);
  const auto at = text.find("\"git_commit\":\"");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 14, "0ther");
  std::ofstream(journal, std::ios::trunc) << text;

  const Outcome refused = run_program({PARBENCH_BINARY, "--resume=" + journal});
  EXPECT_EQ(refused.status, 2) << refused.err;
  EXPECT_NE(refused.err.find("git_commit"), std::string::npos) << refused.err;
  const Outcome r = run_program({PARBENCH_BINARY, "--resume=" + journal, "--resume-anyway"});
  ASSERT_EQ(r.status, 0) << r.err;
  const json whole = read_json(out_);
  ASSERT_EQ(whole["context"]["sessions"].size(), 2u);
  EXPECT_NE(whole["context"]["sessions"][0]["session"]["git_commit"],
            whole["context"]["sessions"][1]["session"]["git_commit"]);
}

TEST_F(LifeCycle, AFullDiskKeepsTheResultsInTheJournal) {
  // A file size limit fails the report's write (EFBIG) as a full disk would, while the journal,
  // one compact line per benchmark, still fits.
  std::vector<std::string> a = {"/usr/bin/prlimit", "--fsize=90000"};
  for (const auto& x : args_out()) a.push_back(x);
  const Outcome o = run_program(a);
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_FALSE(fs::exists(out_));
  ASSERT_TRUE(fs::exists(out_ + ".partial")) << o.err;
  EXPECT_NE(o.err.find("--resume=" + out_ + ".partial"), std::string::npos) << o.err;
  const Outcome r = run_program({PARBENCH_BINARY, "--resume=" + out_ + ".partial"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(runs_of(read_json(out_)).size(), 30u);
}

TEST_F(LifeCycle, AStoppedForkWorkerBecomesAnErrorAndTheRunGoesOn) {
  // One job of 2 s per benchmark (each worker sleeps one 2 s task), so that the worker is
  // stopped in the middle of a job, and a timeout well past a job.
  Started s(args_out({"--kernels=sleep", "--backends=fork", "--launch=pool", "--tasks=40,40",
                      "--repetitions=1", "--job-timeout=4"},
                     "50ms"));
  // The first pool's children exist once the run is past its calibration.
  std::vector<pid_t> children;
  for (int i = 0; i < 3000 && children.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    children = children_of(s.pid());
  }
  ASSERT_FALSE(children.empty());
  kill(children.front(), SIGSTOP);
  const pid_t pid = s.pid();
  const Outcome o = s.wait();
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(children_of(pid).empty());
  const json report = read_json(out_);
  int timed_out = 0, fine = 0;
  for (const auto& e : report["benchmarks"]) {
    if (e.value("error_occurred", false))
      timed_out += e.value("error_message", "").find("past its timeout") != std::string::npos;
    else
      ++fine;
  }
  EXPECT_EQ(timed_out, 1) << o.err << report.dump(1).substr(0, 4000);
  EXPECT_GT(fine, 0) << "the benchmarks after the hung one ran";
}

TEST_F(LifeCycle, AJobThatNeverEndsOnAThreadEndsTheRunWithThePartialReport) {
  Started s(args_out({"--kernels=sleep", "--backends=thread", "--launch=pool", "--tasks=1",
                      "--tasks=50", "--policies=queue", "--repetitions=1", "--job-timeout=1"},
                     "100ms"));
  const Outcome o = s.wait();
  EXPECT_EQ(o.status, 1) << o.err;
  const json report = read_json(out_);
  ASSERT_TRUE(report.is_object()) << o.err;
  EXPECT_EQ(report["context"]["interrupted"], "timeout");
  EXPECT_EQ(runs_of(report).size(), 1u);
  EXPECT_EQ(report["context"]["not_run"].size(), 1u);
}

}  // namespace
}  // namespace parbench
