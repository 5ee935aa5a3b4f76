// parbench's command: runs the selected kernels on every backend under Google Benchmark and
// writes the report. Bad input stops it, with one line on stderr and exit status 2, before
// anything runs.
#include "cli/run.hpp"

#include <benchmark/benchmark.h>

#include <signal.h>
#include <unistd.h>
#include <algorithm>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "cli/dry_run.hpp"
#include "cli/options.hpp"
#include "cli/report_paths.hpp"
#include "cli/session.hpp"
#include "engine/benchmark_list.hpp"
#include "engine/calibration.hpp"
#include "engine/capture.hpp"
#include "engine/estimate.hpp"
#include "engine/rounds.hpp"
#include "engine/supervisor.hpp"
#include "platform/children.hpp"
#include "platform/files.hpp"
#include "platform/machine.hpp"
#include "platform/topology.hpp"
#include "report/console.hpp"
#include "report/context.hpp"
#include "report/findings.hpp"
#include "report/journal.hpp"
#include "report/results.hpp"
#include "schema/read.hpp"
#include "suites/variants.hpp"

namespace {

// Google Benchmark's arguments: our defaults first, so that the user's --benchmark_* win.
std::vector<std::string> benchmark_arguments(const parbench::Config& c, const char* argv0) {
  std::vector<std::string> args = {argv0, "--benchmark_min_time=" + std::to_string(c.min_time)};
  args.insert(args.end(), c.benchmark_flags.begin(), c.benchmark_flags.end());
  return args;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// Google Benchmark reports a bad --benchmark_* flag in several lines of its own; parbench's
// promise is one line, so its words are caught and the first one is passed on.
bool initialize_google_benchmark(int& argc, std::vector<char*>& argv) {
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  std::FILE* caught = std::tmpfile();
  if (saved < 0 || caught == nullptr) {
    benchmark::Initialize(&argc, argv.data());
    return !benchmark::ReportUnrecognizedArguments(argc, argv.data());
  }
  dup2(fileno(caught), STDERR_FILENO);
  benchmark::Initialize(&argc, argv.data());
  const bool bad = benchmark::ReportUnrecognizedArguments(argc, argv.data());
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::string text;
  std::rewind(caught);
  for (int c; (c = std::fgetc(caught)) != EOF;) text += static_cast<char>(c);
  std::fclose(caught);
  if (bad) {
    std::string why = first_line(text);
    if (auto at = why.find("error: "); at != std::string::npos) why = why.substr(at + 7);
    std::fprintf(stderr, "parbench: bad Google Benchmark flag: %s\n", why.c_str());
  } else if (!text.empty()) {
    std::fputs(text.c_str(), stderr);
  }
  return !bad;
}

// What --resume asks for: the run to finish, and whether a different build or machine may.
// load_resumed_run's answer for a complete report: stop, successfully, with the file untouched.
constexpr int kNothingToResume = -1;

struct Resume {
  std::string path;
  bool anyway = false;
  std::string out;  // --out given with it
};

// Takes --resume, --resume-anyway and --out out of the arguments. Returns kBadInput after one
// line on stderr when --resume comes with anything else: a resumed run has its own selection.
std::optional<Resume> take_resume_flags(std::vector<std::string>& args, int* status) {
  Resume r;
  bool resuming = false;
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag, std::string* into) {
      if (a == flag && i + 1 < args.size()) return (*into = args[++i], true);
      if (a.rfind(flag + "=", 0) == 0) return (*into = a.substr(flag.size() + 1), true);
      return false;
    };
    if (value("--resume", &r.path)) {
      resuming = true;
    } else if (a == "--resume-anyway") {
      r.anyway = true;
    } else if (!value("--out", &r.out)) {
      rest.push_back(a);
    }
  }
  if (!resuming && !r.anyway) return std::nullopt;
  if (!resuming || r.path.empty() || !rest.empty()) {
    std::fprintf(stderr,
                 "parbench: --resume=PATH finishes a run with that run's own selection: give only "
                 "--out and --resume-anyway with it\n");
    *status = parbench::kBadInput;
  }
  return r;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

// parbench --findings=REPORT [--out=FILE]: the findings of a report made earlier, or by a
// parbench that made none, printed; with --out, the report with them written there. nullopt
// when not asked for; else the exit status.
std::optional<int> findings_of_a_report(const std::vector<std::string>& args) {
  using namespace parbench;
  std::string path, out;
  for (const auto& a : args) {
    if (a.rfind("--findings=", 0) == 0)
      path = a.substr(11);
    else if (a.rfind("--out=", 0) == 0)
      out = a.substr(6);
  }
  if (path.empty()) return std::nullopt;
  for (const auto& a : args)
    if (a.rfind("--findings=", 0) != 0 && a.rfind("--out=", 0) != 0) {
      std::fprintf(stderr, "parbench: --findings=REPORT takes only --out=FILE with it, not %s\n",
                   a.c_str());
      return kBadInput;
    }
  if (out.size() > 3 && out.compare(out.size() - 3, 3, ".gz") == 0) {
    std::fprintf(stderr, "parbench: --out writes JSON text: name it .json and gzip it after\n");
    return kBadInput;
  }
  try {
    const std::string text = schema::read_report_text(path);
    if (schema::is_journal(text))
      throw schema::InputError("is a journal of an unfinished run: --resume=" + path +
                               " makes its report");
    nlohmann::json report = schema::parse_json(text);
    if (!report.is_object() || !report.contains("benchmarks") || !report["benchmarks"].is_array())
      throw schema::InputError("is not a parbench report");
    nlohmann::json read = report;
    if (!report["context"].contains("backends")) {
      // Reports before November 2026 did not carry the registry: this build's stands in.
      read["context"]["backends"] = registry_json();
      std::printf("(%s predates the registry in reports: this build's is read instead)\n",
                  path.c_str());
    }
    report["findings"] = findings_of(read);
    for (const auto& line : findings_text(report["findings"])) std::printf("%s\n", line.c_str());
    if (!out.empty())
      write_atomically(out,
                       report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    return 0;
  } catch (const schema::InputError& e) {
    std::fprintf(stderr, "parbench: %s %s\n", path.c_str(), e.what());
    return kBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: %s\n", e.what());
    return 1;
  }
}

// The arguments of the run being resumed, with the report path it goes on to.
std::vector<std::string> resumed_arguments(const parbench::RunRecord& record, const Resume& r) {
  std::vector<std::string> args;
  for (const auto& a : record.sessions.back().value("arguments", nlohmann::json::array()))
    if (a.is_string() && a.get<std::string>().rfind("--out", 0) != 0) args.push_back(a);
  std::string out = r.out;
  if (out.empty())
    out = record.from_journal && r.path.ends_with(".partial")
              ? r.path.substr(0, r.path.size() - std::string(".partial").size())
          : record.from_journal ? record.sessions.back()["session"].value("report_path", "")
                                : r.path;
  args.push_back("--out=" + out);
  return args;
}

// A resumed run is one measurement only on the same build and machine: what differs, if
// anything does.
std::optional<std::string> identity_mismatch(const nlohmann::json& then,
                                             const nlohmann::json& now) {
  for (const char* key :
       {"git_commit", "compiler", "cxx_flags", "build_type", "cpu_model", "host_name"})
    if (then.value(key, nlohmann::json()) != now.value(key, nlohmann::json()))
      return std::string(key) + " was " + then.value(key, nlohmann::json()).dump() + ", is " +
             now.value(key, nlohmann::json()).dump();
  return std::nullopt;
}

// How far two reads of the calibration may differ and still agree: a read before the run must be
// confirmed by another, and reads after it that differ more from those before are drift.
constexpr double kDriftTolerance = 0.1;

// The read bandwidth of an array beyond the last-level cache: the ceiling of the run, measured
// before it and again after it on the same array, since on a shared machine it drifts. A read
// that `doubt` finds implausible is said and read again.
std::optional<parbench::Calibration> measure_bandwidth(parbench::SumWork& data, const char* when,
                                                       const parbench::Doubt& doubt) {
  using namespace parbench;
  std::fprintf(stderr, "parbench: measuring read bandwidth %s...\n", when);
  try {
    const Calibration c = calibrate_read_bandwidth(data, usable_cpus(), doubt);
    for (const auto& read : c.reads)
      std::fprintf(stderr,
                   "parbench: read bandwidth %.1f GB/s with %u threads, %.1f GB/s with one%s%s\n",
                   read.bytes_per_second / 1e9, c.threads, read.bytes_per_second_one_thread / 1e9,
                   read.doubt ? "; read again: " : "", read.doubt.value_or("").c_str());
    return c;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: calibration failed: %s\n", e.what());
    return std::nullopt;
  }
}

// A smaller array (tests, a quick look) measures a cache, not memory: said, not hidden.
void warn_if_calibration_fits_in_cache(std::size_t bytes) {
  const std::size_t llc = parbench::last_level_cache_bytes();
  if (llc != 0 && bytes <= llc)
    std::fprintf(stderr,
                 "parbench: warning: the calibration array (%zu KiB) fits in the last-level cache "
                 "(%zu KiB): the ceiling is the cache's bandwidth, not memory's\n",
                 bytes >> 10, llc >> 10);
}

// Finds a default report name nobody uses, with its journal created: the reservation.
parbench::ReportPaths reserve_default_path(const std::string& out, parbench::Journal& journal) {
  using namespace parbench;
  for (unsigned n = 1;; ++n) {
    const ReportPaths paths = check_report_path(numbered_path(out, n));
    if (access(paths.target.c_str(), F_OK) == 0 || access(paths.journal.c_str(), F_OK) == 0)
      continue;
    try {
      journal = Journal::create(paths.journal);
      return paths;
    } catch (const std::runtime_error&) {
      if (n >= 1000) throw;
    }
  }
}

struct Run {
  parbench::ReportPaths paths;
  parbench::Journal journal;
  std::vector<nlohmann::json> sessions;  // journal headers, the current one last
  std::vector<std::string> selected;
  bool finished = false;  // the complete report is in place
};

std::vector<std::string> not_run(const Run& run, const parbench::Results& results) {
  std::vector<std::string> missing;
  for (const auto& name : run.selected)
    if (!results.finished(name)) missing.push_back(name);
  return missing;
}

// Writes the report of what finished, its findings (into `findings` too, when given); false
// (said on stderr) if it cannot be written.
bool write_report(const Run& run, const parbench::Results& results,
                  const std::optional<parbench::Calibration>& after, const std::string& why,
                  nlohmann::json* findings = nullptr) {
  using namespace parbench;
  RunEnd end;
  end.not_run = not_run(run, results);
  end.complete = end.not_run.empty();
  end.interrupted = why;
  try {
    nlohmann::json report;
    const nlohmann::json closing = after ? calibration_json(*after) : nlohmann::json();
    report["context"] = report_context(run.sessions, after ? &closing : nullptr, end);
    report["benchmarks"] = results.entries(report["context"].value("read_bandwidth", 0.0));
    report["findings"] = findings_of(report);
    round_numbers(report);
    if (findings != nullptr) *findings = report["findings"];
    write_atomically(run.paths.target,
                     report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: %s\n", e.what());
    if (results.journal() != nullptr && results.journal()->all_written())
      std::fprintf(stderr,
                   "parbench: every finished benchmark is in %s: once there is room, write the "
                   "report with: parbench --resume=%s\n",
                   run.paths.journal.c_str(), run.paths.journal.c_str());
    else
      std::fprintf(stderr,
                   "parbench: the journal %s could not take the last %zu benchmarks either: "
                   "those are lost; --resume=%s once there is room runs them again\n",
                   run.paths.journal.c_str(), results.journal()->unwritten(),
                   run.paths.journal.c_str());
    return false;
  }
}

// The run ends early (a signal, a hung job): its workers go, what finished is saved.
void end_early(Run& run, parbench::Results& results, const std::string& why) {
  using namespace parbench;
  std::lock_guard lock(results.lock());
  kill_tracked_children();
  if (run.finished) return;  // the complete report is in place: nothing to save
  if (results.size() == 0) {
    run.journal.remove();
    std::fprintf(stderr, "parbench: no benchmark had finished; %s left as it was\n",
                 run.paths.shown.c_str());
    return;
  }
  if (!write_report(run, results, std::nullopt, why)) return;
  if (not_run(run, results).empty()) {  // only the closing calibration was left
    run.journal.remove();
    std::fprintf(stderr, "parbench: report written to %s without the closing calibration\n",
                 run.paths.shown.c_str());
    return;
  }
  std::fprintf(stderr,
               "parbench: partial report (%zu of %zu benchmarks) written to %s; the journal %s "
               "keeps them too. Finish the run with: parbench --resume=%s\n",
               results.size(), run.selected.size(), run.paths.shown.c_str(),
               run.paths.journal.c_str(), run.paths.shown.c_str());
}

// Reads the run to resume, and its arguments: a partial report's journal, beside it, holds as
// much or more than the report. Returns the exit status when it cannot.
int load_resumed_run(Resume& resume, parbench::RunRecord& record, std::vector<std::string>& args) {
  using namespace parbench;
  try {
    record = read_run_record(resume.path);
    if (!record.from_journal && access((resume.path + ".partial").c_str(), F_OK) == 0) {
      if (resume.out.empty()) resume.out = resume.path;
      resume.path += ".partial";
      record = read_run_record(resume.path);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: cannot resume: %s\n", e.what());
    return kBadInput;
  }
  if (record.complete) {
    std::fprintf(stderr, "parbench: %s is complete: nothing to resume\n", resume.path.c_str());
    return kNothingToResume;
  }
  args = resumed_arguments(record, resume);
  return 0;
}

// A resumed run is one measurement only on the same build and machine, unless asked.
bool may_resume(const Resume& resume, const parbench::RunRecord& record) {
  const std::optional<std::string> why =
      identity_mismatch(record.sessions.back()["session"], parbench::identity_now());
  if (!why) return true;
  if (!resume.anyway) {
    std::fprintf(stderr,
                 "parbench: will not resume a run of another build or machine (%s): "
                 "--resume-anyway to do it all the same\n",
                 why->c_str());
    return false;
  }
  std::fprintf(stderr, "parbench: resuming a run of another build or machine: %s\n", why->c_str());
  return true;
}

parbench::ParseOutcome parse_arguments(char* program, std::vector<std::string>& args) {
  std::vector<char*> argv = {program};
  for (auto& a : args) argv.push_back(a.data());
  return parbench::parse_options(static_cast<int>(argv.size()), argv.data());
}

bool initialize_google_benchmark(const parbench::Config& config, char* program) {
  // Google Benchmark keeps a pointer to the program's name for the rest of the process.
  static std::vector<std::string> args;
  args = benchmark_arguments(config, program);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  return initialize_google_benchmark(argc, argv);
}

// Creates the run's journal (a default name: the first free one), or, resuming from the
// journal beside the report, goes on with it. Returns the exit status when it cannot.
int open_journal(const parbench::Config& config, const std::optional<Resume>& resume,
                 const parbench::RunRecord& record, Run& run) {
  using namespace parbench;
  try {
    if (config.out_is_default && !resume)
      run.paths = reserve_default_path(config.out, run.journal);
    else if (record.from_journal && same_file(resume->path, run.paths.journal))
      run.journal = Journal::reopen(run.paths.journal);
    else
      run.journal = Journal::create(run.paths.journal);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: %s\n", e.what());
    return kBadInput;
  }
  return 0;
}

// What the run being resumed had done: its sessions and benchmarks, written into a new
// journal when the run goes on in another one.
void carry_over(const parbench::RunRecord& record, bool into_journal, Run& run,
                parbench::Results& results) {
  for (const auto& header : record.sessions) {
    run.sessions.push_back(header);
    if (into_journal) run.journal.append(header);
  }
  for (const auto& b : record.benchmarks) {
    if (into_journal) run.journal.append(parbench::benchmark_line(b));
    results.add_loaded(b);
  }
}

// This session's context, the first line it adds to the journal.
void start_session(const parbench::Config& config, const parbench::Calibration& before, Run& run,
                   parbench::Results& results) {
  using namespace parbench;
  std::lock_guard lock(results.lock());
  nlohmann::json session = google_benchmark_context();
  session.update(session_context(config, before, run.paths.target));
  run.sessions.push_back(session_header(session, config.arguments, run.selected));
  run.journal.append(run.sessions.back());
  results.set_read_bandwidth(before.bytes_per_second);
}

void warn_about_drift(const parbench::Calibration& before, const parbench::Calibration& after) {
  if (before.bytes_per_second <= 0) return;
  const double drift = after.bytes_per_second / before.bytes_per_second - 1;
  if (std::abs(drift) > kDriftTolerance)
    std::fprintf(stderr,
                 "parbench: warning: the read bandwidth changed by %+.0f%% during the run; "
                 "fractions are of the higher\n",
                 100 * drift);
}

// The launcher to start this program under, and with how many workers: as many as its flag
// asks for, or, when a selected backend's workers are started by it, the most workers the
// selection asks for. None when a launcher started this process, or nothing needs one.
struct Relaunch {
  const parbench::Launcher* launcher;
  unsigned workers;
};
std::optional<Relaunch> relaunch_for(const parbench::Config& config) {
  using namespace parbench;
  if (config.list_only || config.dry_run || config.show_placement) return std::nullopt;
  const std::vector<const Launcher*> all = launchers();
  for (const Launcher* l : all)
    if (l->launched()) return std::nullopt;
  for (const Launcher* l : all)
    if (auto it = config.backend_flags.find(l->workers_flag.name); it != config.backend_flags.end())
      if (const std::size_t asked = parse_count(it->second); asked > 0)
        return Relaunch{l, static_cast<unsigned>(asked)};
  unsigned most = 1;
  for (unsigned w : config.sum_workers) most = std::max(most, w);
  for (unsigned w : config.task_workers) most = std::max(most, w);
  for (const auto& name : config.backends)
    if (const BackendInfo* b = find_backend(name); b->launcher)
      return Relaunch{&*b->launcher, most};
  return std::nullopt;
}

}  // namespace

namespace parbench {
namespace {

// The driving process's part of each launcher (an MPI world), held until the command ends.
std::vector<std::shared_ptr<void>> hold_launchers() {
  std::vector<std::shared_ptr<void>> held;
  for (const Launcher* l : launchers()) held.push_back(l->hold());
  return held;
}

// What the command asks for: a run to resume (with what it had done) or a new one, and the
// selection, parsed.
struct Command {
  std::optional<Resume> resume;
  RunRecord record;  // the run being resumed
  Config config;
};

// Reads the command from its arguments, or from the run it resumes. The exit status when the
// command ends here: bad input, --help, or a complete run to resume.
std::optional<int> read_command(char* program, std::vector<std::string>& args, Command& command) {
  int status = 0;
  command.resume = take_resume_flags(args, &status);
  if (status != 0) return status;
  if (command.resume && (status = load_resumed_run(*command.resume, command.record, args)) != 0)
    return status == kNothingToResume ? 0 : status;
  ParseOutcome parsed = parse_arguments(program, args);
  if (!parsed.config) return parsed.exit_status;
  command.config = std::move(*parsed.config);
  return std::nullopt;
}

// The report's paths, checked before anything runs, and whether the run may be resumed on this
// build and machine. The exit status when it cannot go on.
std::optional<int> check_output(const Command& command, Run& run) {
  if (!command.config.list_only) try {
      run.paths = check_report_path(command.config.out);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "parbench: %s\n", e.what());
      return kBadInput;
    }
  if (command.resume && !may_resume(*command.resume, command.record)) return kBadInput;
  return std::nullopt;
}

// --benchmark_list_tests: Google Benchmark lists every benchmark, and nothing runs.
int list_benchmarks(const BenchmarkList& benchmarks) {
  benchmarks.register_all();
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}

// The calibration's array, made once and kept for the measurement after the run (first touch
// of a large array is slow on some virtual machines); forked workers never see it. Null, said,
// when there is no memory for it.
std::unique_ptr<SumWork> make_calibration_array(const Config& config) {
  std::unique_ptr<SumWork> array;
  try {
    array = std::make_unique<SumWork>(config.calibration_size, Mapping::private_pages);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "parbench: no memory for the calibration array\n");
    return nullptr;
  }
  array->keep_out_of_children();
  warn_if_calibration_fits_in_cache(config.calibration_size * sizeof(std::uint64_t));
  return array;
}

// Before the benchmarks a read is believed once another confirms it.
std::optional<Calibration> bandwidth_before(SumWork& array, unsigned cpus) {
  return measure_bandwidth(
      array, "before the benchmarks",
      [cpus](const CalibrationRead& r, const std::vector<CalibrationRead>& earlier) {
        if (auto why = doubt_alone(r, cpus)) return why;
        return doubt_unconfirmed(r, earlier, kDriftTolerance);
      });
}

// After them, once it is close to the read before them.
std::optional<Calibration> bandwidth_after(SumWork& array, const Calibration& before,
                                           unsigned cpus) {
  return measure_bandwidth(array, "after the benchmarks",
                           [&](const CalibrationRead& r, const std::vector<CalibrationRead>&) {
                             if (auto why = doubt_alone(r, cpus)) return why;
                             return doubt_against(r, before, kDriftTolerance);
                           });
}

// The run could not begin: a journal made for it goes, one it resumes stays. Exit status 1.
int not_begun(const Command& command, Run& run) {
  if (!command.resume) run.journal.remove();
  return 1;
}

// The benchmarks not run yet, in rounds, each one's result line printed (unless the table is)
// and its entries added to the results as soon as it is decided.
void run_benchmarks(const Config& config, const BenchmarkList& benchmarks,
                    const Calibration& before, const SumWork& calibration_array, Run& run,
                    Results& results) {
  const std::vector<std::string> left = not_run(run, results);
  Progress progress(left.size(), isatty(STDERR_FILENO));
  const Measurement& m = config.measurement;
  progress.expect(
      estimate_run(benchmarks, left, m, config.min_time, rates_of(before, calibration_array))
          .per_benchmark,
      m.repetitions > 0 ? m.repetitions : m.min_repetitions);
  TeeReporter reporter(&progress, config.table);
  Rounds rounds(benchmarks, config.measurement, config.min_time, reporter, progress,
                [&](const std::string& name, nlohmann::json entries) {
                  const FinishedBenchmark& b =
                      results.add({name, report_entries(name, std::move(entries), benchmarks)});
                  if (config.table) return;
                  progress.clear_line();
                  std::printf("%s\n", result_line(name, b.entries).c_str());
                  std::fflush(stdout);
                });
  rounds.run(left);
  reporter.end();
}

// The sum's pool and array, and the runtimes' idle workers, must not share the machine with
// the reads after the benchmarks.
void end_workers() {
  release_sum_data();
  for (const auto& name : end_runtime_workers())
    std::fprintf(stderr, "parbench: warning: the %s runtime's worker threads could not be ended\n",
                 name.c_str());
}

// Writes the complete report in place of the journal and prints its findings.
int finish(Run& run, Results& results, const Calibration& before,
           const std::optional<Calibration>& after) {
  std::lock_guard lock(results.lock());
  if (after) warn_about_drift(before, *after);
  nlohmann::json findings;
  if (!write_report(run, results, after, "", &findings)) return 1;
  run.journal.remove();
  run.finished = true;
  for (const auto& line : findings_text(findings)) std::printf("%s\n", line.c_str());
  std::printf("parbench: report written to %s\n", run.paths.shown.c_str());
  return 0;
}

// The run itself, under the supervisor: its journal, the read bandwidth before, the
// benchmarks, the read bandwidth after, the report.
int measure(const Command& command, const BenchmarkList& benchmarks, Run& run) {
  const Config& config = command.config;
  if (const int status = open_journal(config, command.resume, command.record, run); status != 0)
    return status;
  std::fprintf(stderr, "parbench: this machine: %s\n", topology_summary(topology()).c_str());
  Results results(&run.journal, reference_backends({{"backends", registry_json()}}));
  carry_over(command.record, command.resume && !same_file(command.resume->path, run.paths.journal),
             run, results);
  Supervisor supervisor(config.job_timeout,
                        [&](const std::string& why) { end_early(run, results, why); });
  std::unique_ptr<SumWork> calibration_array = make_calibration_array(config);
  if (!calibration_array) return not_begun(command, run);
  const unsigned cpus = usable_cpus();
  const auto before = bandwidth_before(*calibration_array, cpus);
  if (!before) return not_begun(command, run);
  start_session(config, *before, run, results);
  run_benchmarks(config, benchmarks, *before, *calibration_array, run, results);
  end_workers();
  const auto after = bandwidth_after(*calibration_array, *before, cpus);
  calibration_array.reset();
  return finish(run, results, *before, after);
}

}  // namespace
}  // namespace parbench

int parbench::run_parbench(int argc, char** argv) {
  // A worker that a launcher started (an MPI rank other than rank 0) serves the jobs of the
  // process that drives the run, and nothing else.
  if (const std::optional<int> served = serve_if_worker(argc, argv)) return *served;
  take_over_signals();
  const auto held = hold_launchers();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (const auto status = findings_of_a_report(args)) return *status;
  Command command;
  if (const auto status = read_command(argv[0], args, command)) return *status;
  const Config& config = command.config;
  if (const auto relaunch = relaunch_for(config))
    return relaunch->launcher->relaunch(relaunch->workers,
                                        std::vector<std::string>(argv + 1, argv + argc));
  if (config.show_placement) return show_placement(config);
  Run run;
  if (const auto status = check_output(command, run)) return *status;
  BenchmarkList benchmarks;
  register_benchmarks(config, benchmarks);
  if (!initialize_google_benchmark(config, argv[0])) return kBadInput;
  if (config.list_only) return list_benchmarks(benchmarks);
  run.selected = selected_names(benchmarks.names(), benchmark::GetBenchmarkFilter());
  if (config.dry_run) return dry_run(config, benchmarks, run.selected);
  if (run.selected.empty()) {
    std::fprintf(stderr, "parbench: no benchmark matches the selection\n");
    return kBadInput;
  }
  return measure(command, benchmarks, run);
}
