// mpi: ranks that mpirun started (Open MPI), which share no memory with rank 0 or each other.
// Rank 0 runs the harness and is worker 0 of every team; a started backend is a session on
// the team of its first W ranks: each rank makes the work from its spec (a sum's array, a task
// set) and first-touches its own part, then runs its share of each job rank 0 orders
// (block, cyclic, a one-sided counter, or pieces handed out by rank 0), and the partial
// results are added up with MPI_Reduce. Task timelines come back with each job, on rank 0's
// clock. Every wait of rank 0 has a timeout and sees a rank on its host die.
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "backends/mpi/deals.hpp"
#include "backends/mpi/mpi.hpp"
#include "backends/mpi/ranks.hpp"
#include "backends/mpi/shared_window.hpp"
#include "backends/mpi/spawn.hpp"
#include "backends/mpi/tags.hpp"
#include "backends/mpi/world.hpp"
#include "kernels/spec.hpp"
#include "kernels/sum.hpp"
#include "kernels/tasks.hpp"
#include "platform/children.hpp"

namespace parbench {
namespace {

using mpi::Deal;
using mpi::Order;
using mpi::OrderKind;

unsigned g_threads_per_rank = 1;

int new_session_id() {
  static int last = 0;
  return ++last;
}

class MpiBackend final : public Backend {
 public:
  ~MpiBackend() override { close_session(); }

  unsigned start(Work& work, unsigned workers) override {
    work_ = &work;
    tasks_ = dynamic_cast<TaskWork*>(&work);
    mpi::World* w = mpi::world();
    ranks_ = w == nullptr ? 1 : w->team_size_for(workers);
    if (ranks_ > 1) open_session(*w);
    return ranks_;
  }

 protected:
  std::uint64_t run_pass(const Policy& policy, Pass pass) override {
    const Deal deal = policy.how<Deal>();
    if (ranks_ == 1)
      return mpi::run_rank_share(*work_, pass, deal, policy.grain(), nullptr, 0, threads());
    mpi::World& w = *mpi::world();
    const mpi::Team& team = *w.team(ranks_);
    if (deal == Deal::queue) {
      if (team.counter == MPI_WIN_NULL) throw WorkerFailure(team.no_counter);
      reset_counter(team);
    }
    if (deal == Deal::window) open_window(w, team);
    const double began = monotonic_seconds();
    Order order;
    order.kind = OrderKind::job;
    order.session = session_;
    order.team = static_cast<std::int32_t>(ranks_);
    order.pass = static_cast<std::int32_t>(pass);
    order.deal = deal;
    order.grain = policy.grain();
    order.records = tasks_ != nullptr ? 1 : 0;
    order.threads = static_cast<std::int32_t>(threads());
    w.send_order(order, ranks_);
    // {partial result, ranks that could not make the work}
    std::uint64_t mine[2] = {0, 0}, all[2] = {0, 0};
    if (deal == Deal::master)
      mpi::hand_out_pieces(w, team, work_->items(), policy.grain(), began);
    else if (deal == Deal::window)
      mine[0] = pass == Pass::compute ? mpi::sum_own_segment(window_, threads()) : window_.count;
    if (deal == Deal::window)
      work_->record_cpu_seen(0, sched_getcpu());  // no kernel saw it
    else
      mine[0] = mpi::run_rank_share(*work_, pass, deal, policy.grain(), &team, 0, threads());
    MPI_Request request;
    MPI_Ireduce(mine, all, 2, MPI_UINT64_T, MPI_SUM, 0, team.comm, &request);
    w.wait(request, "the job's partial results", ranks_, mpi::job_timeout(), nullptr, began);
    if (tasks_ != nullptr) take_records(w);
    if (all[1] != 0)
      throw WorkerFailure(std::to_string(all[1]) +
                          " mpi rank(s) could not make the work from its spec");
    return all[0];
  }
  Work& work() const override { return *work_; }

  // The other ranks' CPU time so far, reported apart as fork's children's is.
  double children_cpu_seconds() const override {
    const std::vector<double> states = rank_states();
    double total = 0;
    for (std::size_t r = 1; 2 * r < states.size(); ++r) total += states[2 * r];
    return total;
  }

  // Where the other ranks ran: the CPU each was on when its share of the last job ended.
  void collect() override {
    const std::vector<double> states = rank_states();
    for (std::size_t r = 1; 2 * r + 1 < states.size(); ++r)
      work_->record_cpu_seen(static_cast<unsigned>(r), static_cast<int>(states[2 * r + 1]));
  }
  std::optional<std::string> why_workers_cannot_prepare() const override {
    if (ranks_ == 1) return std::nullopt;
    return "each mpi rank makes the part it reads and touches it first: in its own memory, or "
           "(window) its block of the shared window; the array in rank 0's memory, which the "
           "other backends read, is made by the calling thread";
  }

 private:
  // Each rank's {CPU seconds so far, CPU of its last job}, rank by rank (rank 0's unused);
  // empty for a team of one or a lost world (which the next job reports).
  std::vector<double> rank_states() const {
    mpi::World* w = mpi::world();
    if (ranks_ == 1 || !opened_ || w == nullptr || w->lost()) return {};
    try {
      Order order;
      order.kind = OrderKind::state;
      order.session = session_;
      order.team = static_cast<std::int32_t>(ranks_);
      w->send_order(order, ranks_);
      std::vector<double> states(2 * ranks_);
      double mine[2] = {0, -1};
      MPI_Request request;
      MPI_Igather(mine, 2, MPI_DOUBLE, states.data(), 2, MPI_DOUBLE, 0, w->team(ranks_)->comm,
                  &request);
      w->wait(request, "the ranks' CPU times", ranks_, mpi::control_timeout());
      return states;
    } catch (const WorkerFailure&) {
      return {};
    }
  }

  // Threads in each rank for its share: a sum's only (tasks are one per worker).
  unsigned threads() const { return tasks_ != nullptr ? 1 : g_threads_per_rank; }

  // Sends the work's spec to ranks [1, ranks_): each makes the same work from it.
  void open_session(mpi::World& w) {
    KernelSpec spec;
    if (!work_->describe(spec)) throw WorkerFailure("this work has no spec to send to mpi ranks");
    const std::string text = to_json(spec).dump();
    session_ = new_session_id();
    Order order;
    order.kind = OrderKind::open;
    order.session = session_;
    order.team = static_cast<std::int32_t>(ranks_);
    order.spec_bytes = static_cast<std::int32_t>(text.size());
    w.send_order(order, ranks_);
    opened_ = true;
    for (unsigned r = 1; r < ranks_; ++r) {
      MPI_Request request;
      MPI_Isend(text.data(), static_cast<int>(text.size()), MPI_CHAR, static_cast<int>(r),
                mpi::spec_tag, w.comm(), &request);
      w.wait(request, "a kernel spec to be sent", ranks_, mpi::control_timeout());
    }
  }

  void close_session() {
    mpi::World* w = mpi::world();
    if (!opened_ || w == nullptr || w->lost()) return;
    Order order;
    order.kind = OrderKind::close;
    order.session = session_;
    try {
      w->send_order(order, ranks_);
      // The servers free theirs on close: MPI_Win_free is collective.
      mpi::close_shared_window(window_);
    } catch (const WorkerFailure&) {
      // The world is lost: the next mpi benchmark says so.
    }
  }

  // The first job of the window policy makes the team's shared window: each rank allocates
  // and first-touches its block. The ranks must share one host, which MPI cannot fake.
  void open_window(mpi::World& w, const mpi::Team& team) {
    if (window_.win != MPI_WIN_NULL) return;
    if (dynamic_cast<SumWork*>(work_) == nullptr)
      throw WorkerFailure("the mpi window policy is for the sum's array only");
    if (!w.team_on_one_host(ranks_))
      throw WorkerFailure("the mpi window policy needs the team's " + std::to_string(ranks_) +
                          " ranks on one host (MPI_Win_allocate_shared); these span hosts: use "
                          "block, or --workers up to the ranks on rank 0's host");
    Order order;
    order.kind = OrderKind::window;
    order.session = session_;
    order.team = static_cast<std::int32_t>(ranks_);
    order.threads = static_cast<std::int32_t>(threads());
    w.send_order(order, ranks_);
    try {
      window_ = mpi::open_shared_window(team, 0, work_->items(), threads());
    } catch (const std::runtime_error& e) {
      throw WorkerFailure(e.what());
    }
  }

  // The queue's counter back to 0 before the job is sent, so no rank takes from it early.
  static void reset_counter(const mpi::Team& team) {
    const std::uint64_t zero = 0;
    std::uint64_t old = 0;
    MPI_Fetch_and_op(&zero, &old, MPI_UINT64_T, 0, 0, MPI_REPLACE, team.counter);
    MPI_Win_flush(0, team.counter);
  }

  // Each rank's task records of the job: task, worker, start, end, on its own clock; placed on
  // rank 0's job clock with that rank's offset.
  void take_records(mpi::World& w) {
    std::vector<double> records(4 * tasks_->durations().size() + 1);
    for (unsigned r = 1; r < ranks_; ++r) {
      MPI_Request request;
      MPI_Status status;
      MPI_Irecv(records.data(), static_cast<int>(records.size()), MPI_DOUBLE, static_cast<int>(r),
                mpi::records_tag, w.comm(), &request);
      w.wait(request, "the tasks' records", ranks_, mpi::control_timeout(), &status);
      int count = 0;
      MPI_Get_count(&status, MPI_DOUBLE, &count);
      const double shift = w.clock_offset(static_cast<int>(r)) + tasks_->job_start();
      for (int i = 0; i + 3 < count; i += 4)
        tasks_->record_ran_elsewhere(static_cast<std::size_t>(records[i]),
                                     static_cast<unsigned>(records[i + 1]), records[i + 2] - shift,
                                     records[i + 3] - shift);
    }
  }

  Work* work_ = nullptr;
  TaskWork* tasks_ = nullptr;
  unsigned ranks_ = 1;
  int session_ = 0;
  bool opened_ = false;
  mpi::SharedWindow window_;  // the window policy's array, once its first job made it
};

// One collective of a team at a time (World::collective), for the launch benchmarks.
class TeamCollectives {
 public:
  TeamCollectives(OrderKind kind, unsigned ranks) : kind_(kind) {
    mpi::World* w = mpi::world();
    ranks_ = w == nullptr ? 1 : w->team_size_for(ranks);
  }
  // One barrier (returns the team's size) or allreduce (returns the sum of one per rank).
  std::uint64_t one() { return ranks_ == 1 ? 1 : mpi::world()->collective(kind_, ranks_); }

 private:
  OrderKind kind_;
  unsigned ranks_ = 1;
};

DispatchFloor allreduce_floor() {
  DispatchFloor floor;
  floor.launch = "ranks";
  floor.what = "one 8-byte MPI_Allreduce over the team (each rank adds 1), nothing else";
  floor.start = [](unsigned workers) {
    auto team = std::make_shared<TeamCollectives>(OrderKind::allreduces, workers);
    return std::function<std::uint64_t()>([team] { return team->one(); });
  };
  return floor;
}

// A probe of `ranks` ranks, named launch/mpi/<what>/ranks:N.
LaunchProbe probe_of_ranks(const char* what, const char* launch, unsigned ranks) {
  LaunchProbe probe;
  probe.what = what;
  probe.detail = "ranks:" + std::to_string(ranks);
  probe.launch = launch;
  probe.params = {{"workers", ranks}};
  return probe;
}

// MPI_Barrier over a team of `ranks`, alone.
LaunchProbe barrier_probe(unsigned ranks) {
  LaunchProbe probe = probe_of_ranks("barrier", "ranks", ranks);
  probe.prepare = [ranks] {
    auto team = std::make_shared<TeamCollectives>(OrderKind::barriers, ranks);
    return std::function<std::optional<std::string>()>(
        [team, ranks]() -> std::optional<std::string> {
          if (team->one() == ranks) return std::nullopt;
          return "the barrier's team is smaller than asked";
        });
  };
  return probe;
}

// The environment of a new mpirun started from inside a rank: without what the outer mpirun
// gave this rank (a new mpirun would take itself for one of its ranks), with the permission
// to run as root.
std::vector<std::string> fresh_mpirun_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string var = *e;
    const bool outer = var.rfind("OMPI_", 0) == 0 || var.rfind("PMIX_", 0) == 0 ||
                       var.rfind("OPAL_", 0) == 0 || var.rfind("ORTE_", 0) == 0;
    const bool kept =
        var.rfind("OMPI_ALLOW_RUN_AS_ROOT", 0) == 0 || var.rfind("OMPI_MCA_btl=", 0) == 0;
    if (!outer || kept) env.push_back(var);
  }
  env.push_back("PARBENCH_MPI_HELLO=1");
  return env;
}

// Starting N ranks under mpirun, from outside, as fork+wait measures a process: mpirun starts
// N copies of parbench that only initialise MPI, meet at a barrier and finalize.
LaunchProbe mpirun_start_probe(unsigned ranks) {
  LaunchProbe probe = probe_of_ranks("mpirun_start", "ranks", ranks);
  probe.prepare = [ranks] {
    auto args = std::make_shared<std::vector<std::string>>(
        mpirun_arguments(ranks, {mpi::own_executable()}));
    auto env = std::make_shared<std::vector<std::string>>(fresh_mpirun_environment());
    return std::function<std::optional<std::string>()>([args, env]() -> std::optional<std::string> {
      std::vector<char*> argv, envp;
      for (auto& a : *args) argv.push_back(a.data());
      for (auto& e : *env) envp.push_back(e.data());
      argv.push_back(nullptr);
      envp.push_back(nullptr);
      const pid_t pid = fork();
      if (pid == 0) {
        execvpe(argv[0], argv.data(), envp.data());
        _exit(127);
      }
      if (pid < 0) return "fork failed";
      track_child(pid);
      int status = 0;
      reap_child(pid, &status, true);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return "mpirun ended with status " + std::to_string(status);
      return std::nullopt;
    });
  };
  return probe;
}

// MPI's own per-job spawn: rank 0 alone starts `ranks` new ranks with MPI_Comm_spawn, each
// does one empty job (adds 1 to an MPI_Reduce over the intercommunicator), disconnects and
// ends; what starting workers for every job would cost, as fork's spawn launch does.
LaunchProbe comm_spawn_probe(unsigned ranks) {
  LaunchProbe probe = probe_of_ranks("comm_spawn", "spawn", ranks);
  probe.children_reaped_here = false;  // mpirun starts and reaps them
  probe.prepare = [ranks] {
    mpi::World* w = mpi::world();
    if (w != nullptr)
      if (const auto why = mpi::spawn_hazard(*w))
        return std::function<std::optional<std::string>()>([why] { return why; });
    auto spawner = std::make_shared<mpi::Spawner>(w != nullptr && w->crowded());
    return std::function<std::optional<std::string>()>(
        [spawner, ranks] { return spawner->job(ranks); });
  };
  return probe;
}

// Sizes of the world's own probes: 1, the powers of two below the world's size, and its size.
bool probed_size(unsigned s, unsigned world_size) {
  return (s & (s - 1)) == 0 || s == world_size;
}

std::vector<LaunchProbe> mpi_launch_probes() {
  mpi::World* w = mpi::world();
  if (w == nullptr) return {};
  std::vector<LaunchProbe> probes = {mpirun_start_probe(w->size())};
  for (unsigned s = 2; s <= w->size(); ++s)
    if (probed_size(s, w->size()) && w->team_size_for(s) == s) probes.push_back(barrier_probe(s));
  for (unsigned s = 1; s <= w->size(); ++s)
    if (probed_size(s, w->size())) probes.push_back(comm_spawn_probe(s));
  return probes;
}

nlohmann::json mpi_runtime() {
  char library[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0, version = 0, subversion = 0;
  MPI_Get_library_version(library, &length);
  MPI_Get_version(&version, &subversion);
  std::string text(library, static_cast<std::size_t>(length));
  text = text.substr(0, text.find_first_of(",\n"));
  nlohmann::json runtime = {
      {"library", text},
      {"standard", std::to_string(version) + "." + std::to_string(subversion)},
      {"under_mpirun", started_by_mpirun()}};
  if (mpi::World* w = mpi::world()) {
    std::vector<unsigned> teams;
    for (unsigned s = 1; s <= w->size(); ++s)
      if (w->team_size_for(s) == s) teams.push_back(s);
    runtime["world_size"] = w->size();
    runtime["teams"] = teams;
    runtime["ranks"] = w->ranks();
    runtime["transport"] = w->transport();
    // The launch probe comm_spawn runs (its entries say whether each spawn worked).
    const std::optional<std::string> hazard = mpi::spawn_hazard(*w);
    runtime["comm_spawn"] = {
        {"measured", !hazard},
        {"how",
         "rank 0 alone (MPI_COMM_SELF) spawns parbench, info map_by slot:oversubscribe, "
         "bind_to none, host (rank 0's host)"}};
    if (hazard) runtime["comm_spawn"]["why_not"] = *hazard;
    // The slots mpirun knows of: children past them oversubscribe.
    int* universe = nullptr;
    int known = 0;
    MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_UNIVERSE_SIZE, &universe, &known);
    if (known != 0 && universe != nullptr) runtime["comm_spawn"]["universe_size"] = *universe;
  } else {
    runtime["world_size"] = 1;
  }
  return runtime;
}

std::vector<PolicyName> mpi_sum_policies() {
  return {{"block", Split::block, false, false, Deal::block},
          {"cyclic", Split::cyclic, false, false, Deal::cyclic},
          {"window", Split::block, false, false, Deal::window}};
}

std::vector<PolicyName> mpi_task_policies() {
  return {{"block", Split::block, false, false, Deal::block},
          {"cyclic", Split::cyclic, false, false, Deal::cyclic},
          {"queue", Split::dynamic, false, false, Deal::queue},
          {"lpt", Split::dynamic, false, true, Deal::queue},
          {"master", Split::dynamic, false, false, Deal::master}};
}

}  // namespace

BackendInfo mpi_backend_info() {
  return {.name = "mpi",
          .launches = {"ranks"},
          .sum_policies = mpi_sum_policies(),
          .task_policies = mpi_task_policies(),
          .create = [](const std::string&) -> std::unique_ptr<Backend> {
            return std::make_unique<MpiBackend>();
          },
          .reference = false,
          .reports_children_cpu = true,
          .timed_starts = {},
          .workers_per_job = {},
          .launch_probes = mpi_launch_probes,
          .runtime = mpi_runtime,
          .dispatch_floor = allreduce_floor(),
          .sum_params =
              [] {
                return nlohmann::json{{"threads_per_rank", g_threads_per_rank}};
              },
          .launcher = mpi_launcher()};
}

void configure_mpi(unsigned threads_per_rank, double job_watchdog_seconds) {
  g_threads_per_rank = threads_per_rank;
  mpi::set_watchdog(job_watchdog_seconds);
}

unsigned mpi_world_size() {
  return mpi::world() == nullptr ? 1 : mpi::world()->size();
}

}  // namespace parbench
