#pragma once
// One interface for every backend: how the pieces of a job reach workers. A backend is made
// for one (launch) mode and started once for one piece of work outside any timing; its workers
// then prepare the work's data and run the work as many times as the harness asks. Adding a
// backend: one file that implements Backend and describes it in a BackendInfo, listed in the
// registry (backends/backend.cpp) or registered at run time (register_backend).
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "kernels/partition.hpp"
#include "kernels/work.hpp"
#include "platform/placement.hpp"

namespace parbench {

// A worker died or could not be started; the job's result is lost. The harness turns it into
// the benchmark's error; the backend has already cleaned up (no thread, child or mapping left).
class WorkerFailure : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class KernelKind { sum, tasks };

struct BackendInfo;

// Which of a backend's own ways of running a policy it is: a value of an enum of the backend's
// own file, which this header does not know. It is made from that enum and read back only as
// that enum: a read as another one is a bug of the backend and throws std::logic_error.
class How {
 public:
  How() = default;  // none: for a backend with one way of running, which reads none
  template <typename Enum, typename = std::enable_if_t<std::is_enum_v<Enum>>>
  How(Enum value)  // implicit: a registry entry names the enum value alone
      : type_(&typeid(Enum)), value_(static_cast<long long>(value)) {}

  template <typename Enum>
  Enum as() const {
    static_assert(std::is_enum_v<Enum>);
    if (type_ == nullptr || *type_ != typeid(Enum))
      throw std::logic_error("a policy's way of running read as another enum than it was made of");
    return static_cast<Enum>(value_);
  }

 private:
  const std::type_info* type_ = nullptr;
  long long value_ = 0;
};

// One of a backend's policies, as its registry entry names it.
struct PolicyName {
  std::string name;            // what the user types, without a grain: "dynamic", "static1", "auto"
  Split split;                 // the generic split it gives, for the schedule model and the report
  bool takes_grain;            // "dynamic:4096" is accepted
  bool longest_first = false;  // the kernel hands out its tasks longest first (LPT)
  How how = {};                // which of the backend's own ways of running it
};

// A policy of one backend, with its grain. Only parse_policy makes one, from that backend's
// registry entry, and a backend runs only its own: a split a backend does not offer cannot
// reach it.
class Policy {
 public:
  const std::string& name() const { return name_; }  // as the report shows it: "dynamic:65536"
  Split split() const { return split_; }
  std::size_t grain() const { return grain_; }  // items per piece, for the splits that use it
  bool longest_first() const { return longest_first_; }
  // The backend's own way of running it, as its registry entry said: `Enum` is the enum it was
  // named with there.
  template <typename Enum>
  Enum how() const {
    return how_.as<Enum>();
  }
  const BackendInfo& backend() const { return *owner_; }

 private:
  friend Policy parse_policy(const BackendInfo&, KernelKind, const std::string&, std::size_t);
  Policy(const BackendInfo& owner, std::string name, const PolicyName& p, std::size_t grain)
      : owner_(&owner),
        name_(std::move(name)),
        split_(p.split),
        grain_(grain),
        longest_first_(p.longest_first),
        how_(p.how) {}

  const BackendInfo* owner_;
  std::string name_;
  Split split_;
  std::size_t grain_;
  bool longest_first_;
  How how_;
};

// Who first touched a work's data: its backend's workers, or the calling thread.
enum class FirstTouch { workers, serial };
const char* to_string(FirstTouch touch);

struct Preparation {
  FirstTouch by = FirstTouch::serial;
  std::optional<std::string> why;  // why the workers did not when they were asked to
  double seconds = 0;              // wall time of the prepare pass
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Creates the workers (pool, arena, team) for `work` and warms them up. Returns how many
  // workers the backend really has, which may be fewer than asked. The work's memory exists
  // (a fork pool's children inherit it here); its data is made afterwards, by prepare().
  virtual unsigned start(Work& work, unsigned workers) = 0;

  // Makes the work's data once, before the first job: each worker writes the pieces `policy`
  // will hand it (placing their pages on its NUMA node), or the calling thread writes all when
  // asked for serial or when this backend's workers cannot (the result says why). Throws
  // WorkerFailure as run() does.
  Preparation prepare(const Policy& policy, FirstTouch wanted);

  // One job: every item of the work handed to the workers as `policy` says; returns the sum of
  // the workers' partial results. This is what is timed. Throws std::invalid_argument for a
  // policy of another backend.
  std::uint64_t run(const Policy& policy) {
    if (&policy.backend() != info_) refuse(policy);
    return run_pass(policy, Pass::compute);
  }

  // Makes what the last job's workers recorded in the work (task timelines, the CPUs they ran
  // on) current in the caller's copy. Workers that write into memory the caller shares
  // (threads, fork's shared mappings) need nothing; workers that do not (processes on other
  // hosts) send it here.
  virtual void collect() {}

  // Where workers run: none leaves it to the OS; otherwise worker w is pinned to
  // cpu_for_worker(pin, w). Set before start().
  void set_pin(Pin pin) { pin_ = pin; }

  // CPU seconds used so far by worker processes (Google Benchmark counts only the caller's);
  // BackendInfo::reports_children_cpu says whether a backend's workers are processes.
  virtual double children_cpu_seconds() const { return 0.0; }

 protected:
  // One job of `pass` over the work started with: what run() and prepare() ask for.
  virtual std::uint64_t run_pass(const Policy& policy, Pass pass) = 0;
  // The work given to start().
  virtual Work& work() const = 0;
  // None when the workers can write the work's data for each other and the caller; else why not.
  virtual std::optional<std::string> why_workers_cannot_prepare() const { return std::nullopt; }

  Pin pin_ = Pin::none;

 private:
  friend std::unique_ptr<Backend> make_backend(const BackendInfo& info, const std::string& launch);
  [[noreturn]] void refuse(const Policy& policy) const;
  const BackendInfo* info_ = nullptr;
};

// What it costs the operating system to make one of a backend's workers, measured alone,
// outside every job: creating and joining a thread, forking and reaping a process.
struct LaunchProbe {
  std::string what;    // "create_join": the benchmark is launch/<backend>/<what>[/<detail>]
  std::string detail;  // "mapping:shared/bytes:268435456", or ""
  std::string launch;  // the backend's launch it measures the cost of
  nlohmann::json params = nlohmann::json::object();  // beyond kernel, backend, launch, policy
  // The processes it starts are this process's children, reaped here, so that their CPU time
  // is seen (children_cpu_time, where the backend reports it); false: started by someone else
  // (MPI_Comm_spawn's, by mpirun), whose CPU time this process cannot see.
  bool children_reaped_here = true;
  // Makes what the probe needs (outside timing) and returns the timed body, which returns
  // what went wrong, if anything. Throws std::bad_alloc when there is no memory for it.
  std::function<std::function<std::optional<std::string>()>()> prepare;
};

// The bare runtime's cheapest job for some workers, with nothing of parbench's around it (no
// work, no policy, no partial results): the floor its dispatch of an empty job is held against.
struct DispatchFloor {
  std::string launch;  // the launch whose dispatch it is the floor of
  std::string what;    // in words, for the report: "omp parallel reduction(+)"
  // Makes the team for `workers` (outside timing) and returns one bare job, which returns how
  // many workers took part. The team lives as long as the returned function.
  std::function<std::function<std::uint64_t()>(unsigned workers)> start;
};

// The most workers one job may ask for, of any backend.
inline constexpr unsigned kMostWorkers = 4096;

// A flag of a backend's own on parbench's command line.
struct BackendFlag {
  std::string name;  // "--threads-per-rank"
  std::string help;
};

// What the run tells a backend whose workers live in other processes, before anything runs.
struct RunSettings {
  std::map<std::string, std::string> flags;  // of its flags, those given: name -> value
  double job_timeout = 300;  // seconds a job may take: its own waits on workers stay under it
};

// A backend whose workers are processes a launcher starts for the whole run (MPI's ranks,
// started by mpirun: copies of this program). The command calls these hooks, in this order,
// for every backend that has them, and never asks for such a backend by name.
struct Launcher {
  // Asks for the run to be started again under the launcher with that many workers.
  BackendFlag workers_flag;
  std::vector<BackendFlag> flags;  // its other flags
  // First in the command, before any thread exists or a signal is blocked: in a process that
  // is one of the workers, serves jobs until told to stop and returns its exit status; in the
  // one that drives the run, and outside the launcher, nothing.
  std::function<std::optional<int>(int argc, char** argv)> serve;
  // Once the ending signals are taken over, the driving process's part for as long as the
  // command runs (MPI is up while it lives).
  std::function<std::shared_ptr<void>()> hold;
  // The run's settings, once the command line is read; throws std::invalid_argument, naming
  // the flag, for a bad value.
  std::function<void(const RunSettings&)> configure;
  // Whether the launcher started this process; then most_workers() is what it gave.
  std::function<bool()> launched;
  std::function<unsigned()> most_workers;
  // Runs the command (its arguments, without the program) again under the launcher with
  // `workers` workers, and returns the launcher's exit status.
  std::function<int(unsigned workers, const std::vector<std::string>& arguments)> relaunch;
};

// Everything the rest of parbench may know of a backend: nothing outside backends/ asks for a
// backend by name. The report carries these facts (context "backends").
struct BackendInfo {
  std::string name;                   // "thread"
  std::vector<std::string> launches;  // "spawn", "pool"; one entry for backends with one way
  std::vector<PolicyName> sum_policies;
  std::vector<PolicyName> task_policies;
  // Makes an unstarted backend for one of `launches`; use make_backend().
  std::function<std::unique_ptr<Backend>(const std::string& launch)> create;
  // The reference every speedup is against: the calling thread alone, one worker, one policy.
  bool reference = false;
  // Its workers are processes, whose CPU time is not the parent's: reported apart.
  bool reports_children_cpu = false;
  // Launches whose start() makes new workers every time, so that starting them is measured on
  // its own; a runtime that keeps one team for the whole process has none.
  std::vector<std::string> timed_starts;
  // Launches whose workers are new in every job: no untimed job warms them up.
  std::vector<std::string> workers_per_job;
  // What its workers cost the system to make, measured alone (none: nothing of its own).
  std::function<std::vector<LaunchProbe>()> launch_probes;
  // The runtime underneath as the report records it (version, library, settings); none for
  // code of parbench's own.
  std::function<nlohmann::json()> runtime;
  // Its dispatch floor, where it has one.
  std::optional<DispatchFloor> dispatch_floor;
  // Keys its sum benchmarks add to `params`, from settings of the whole run (mpi:
  // threads_per_rank); none: nothing beyond the common ones.
  std::function<nlohmann::json()> sum_params;
  // Where its workers are processes a launcher starts (above).
  std::optional<Launcher> launcher = std::nullopt;
  // The launch that measures the machine's read bandwidth, for the one backend that does (its
  // workers kept between jobs, so that every read is timed without starting anyone).
  std::string calibrates = "";
  // For a runtime that keeps its worker threads for the whole process, past the end of every
  // backend: waits for them to end; false if the runtime refused (a backend was still alive).
  std::function<bool()> end_workers = nullptr;
  // Where its start() makes a server process of its own from a copy of this program (this
  // executable with arguments it chose, backends/server_process.hpp): first in the command,
  // before any thread exists, in such a copy serves jobs until told to stop and returns its
  // exit status; in any other process, nothing. A server that is another program (a Python
  // script) needs none.
  std::function<std::optional<int>(int argc, char** argv)> serve = nullptr;
  // For a backend whose workers live in processes it starts itself: the run's settings once the
  // command line is read (flags empty), so that its waits on them stay under the job timeout.
  std::function<void(const RunSettings&)> configure = nullptr;
};

// A backend this build lacks, known by name so that asking for it says how to get it; with
// the launcher hooks that keep a run under its launcher from going wrong.
struct AbsentBackend {
  std::string name;
  std::string how_to_get;  // one line
  std::optional<Launcher> launcher = std::nullopt;
};
const std::vector<AbsentBackend>& absent_backends();

// The launchers of every backend, present or absent.
std::vector<const Launcher*> launchers();

// Launcher::serve of each, then BackendInfo::serve of each, first in the command: the exit
// status of a worker process.
std::optional<int> serve_if_worker(int argc, char** argv);

// The most workers a backend can have, whatever a job asks, when its workers are processes a
// launcher started for the whole run; 0: as many as asked.
unsigned most_workers(const BackendInfo& backend);
// Whether a run that names no backends runs it (a launcher's workers exist only under it).
bool selected_by_default(const BackendInfo& backend);

// The backend of `info` for `launch`, ready to be started.
std::unique_ptr<Backend> make_backend(const BackendInfo& info, const std::string& launch);

// Every backend, in the order the report lists them: those compiled in, then those registered
// at run time. Elements never move, so pointers to them stay valid.
const std::deque<BackendInfo>& backends();
const BackendInfo* find_backend(const std::string& name);
// Adds a backend at run time (before options are parsed); throws std::invalid_argument if the
// name is taken or the entry is incomplete.
void register_backend(BackendInfo info);

// The registry's facts as each report carries them (context.backends), so that readers of a
// report need no table of their own.
nlohmann::json registry_json();

// The backend and launch that measure the machine's read bandwidth (the calibration).
struct BackendLaunch {
  const BackendInfo* backend;
  std::string launch;
};
BackendLaunch calibration_backend();

// Parses "dynamic", "dynamic:4096" or "dynamic(4096)" against a backend's policies.
// `default_grain` fills in a missing grain. Throws std::invalid_argument with a clear message.
Policy parse_policy(const BackendInfo& backend, KernelKind kernel, const std::string& text,
                    std::size_t default_grain);
// The backend's first policy with this split, if it has one.
const PolicyName* find_policy(const BackendInfo& backend, KernelKind kernel, Split split);

// The backends compiled in, one per file.
BackendInfo serial_backend_info();
BackendInfo thread_backend_info();
BackendInfo fork_backend_info();
BackendInfo openmp_backend_info();
BackendInfo tbb_backend_info();
BackendInfo mpi_backend_info();
AbsentBackend absent_mpi_backend();

// One line on how to get a backend this build lacks, if it is one.
std::optional<std::string> how_to_get_backend(const std::string& name);

// Waits for every runtime's worker threads that outlive their backends (end_workers), so that
// none still runs, or holds memory, when the process exits. Call it last, when no backend is
// alive. The backends whose runtime refused (one of its backends still was alive).
std::vector<std::string> end_runtime_workers();

}  // namespace parbench
