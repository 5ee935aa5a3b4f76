// The ranks other than 0: each serves rank 0's orders until told to stop. A session's work is
// made here from its spec; this rank first-touches the pieces it is dealt, the first time it is
// dealt them, and sends the timelines of the tasks it ran back with each job.
#include <sched.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "backends/mpi/deals.hpp"
#include "backends/mpi/mpi.hpp"
#include "backends/mpi/ranks.hpp"
#include "backends/mpi/shared_window.hpp"
#include "backends/mpi/spawn.hpp"
#include "backends/mpi/tags.hpp"
#include "backends/mpi/world.hpp"
#include "kernels/spec.hpp"
#include "kernels/tasks.hpp"

namespace parbench {
namespace {

using mpi::Deal;
using mpi::Order;
using mpi::OrderKind;

struct ServedSession {
  std::unique_ptr<Work> work;
  TaskWork* tasks = nullptr;
  std::set<Deal> made;  // the deals whose pieces this rank has made the data of
  std::uint64_t jobs = 0;
  mpi::SharedWindow window;  // the window policy's array, made by its order
  bool failed = false;       // the work could not be made here: every job says so
};

void open_session(mpi::World& w, const Order& order, std::map<int, ServedSession>& sessions) {
  std::string text(static_cast<std::size_t>(order.spec_bytes), '\0');
  MPI_Request request;
  MPI_Irecv(text.data(), order.spec_bytes, MPI_CHAR, 0, mpi::spec_tag, w.comm(), &request);
  w.wait_as_server(request);
  ServedSession& s = sessions[order.session];
  try {
    s.work = make_work(spec_from_json(nlohmann::json::parse(text)));
    s.tasks = dynamic_cast<TaskWork*>(s.work.get());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: mpi rank %d cannot make the work: %s\n", w.rank(), e.what());
    s.failed = true;
  }
}

// The data of the pieces this rank is dealt, made by this rank before its first job of that
// deal (a queue's or master's pieces may be any: all of them).
void make_own_pieces(ServedSession& s, const Order& order, const mpi::Team& team, int rank) {
  if (!s.work->has_data() || s.made.count(order.deal) != 0 || order.deal == Deal::window) return;
  if (order.deal == Deal::block || order.deal == Deal::cyclic)
    mpi::run_rank_share(*s.work, Pass::prepare, order.deal, 1, &team, static_cast<unsigned>(rank),
                        static_cast<unsigned>(order.threads));
  else
    s.work->apply(Pass::prepare, static_cast<unsigned>(rank), 0, s.work->items(), 1);
  s.made.insert(order.deal);
}

// This job's task records: task, worker, start, end, on this rank's CLOCK_MONOTONIC.
std::vector<double> records_of_job(const ServedSession& s) {
  std::vector<double> records;
  const double start = s.tasks->job_start();
  for (std::size_t t = 0; t < s.tasks->durations().size(); ++t) {
    const TaskRecord& r = s.tasks->record(t);
    if (r.job.load() != s.jobs) continue;
    records.insert(records.end(), {static_cast<double>(t), static_cast<double>(r.worker),
                                   start + r.start, start + r.end});
  }
  return records;
}

// The CPU this rank was on when its share of the last job ended: where it ran, for the report.
int g_last_job_cpu = -1;

// Rank 0 asks after each benchmark: this process's CPU time so far (Google Benchmark counts
// only rank 0's) and the CPU of its last job.
void send_state(mpi::World& w, const Order& order) {
  const mpi::Team& team = *w.team(static_cast<unsigned>(order.team));
  double mine[2] = {mpi::process_cpu_seconds(), static_cast<double>(g_last_job_cpu)};
  MPI_Request request;
  MPI_Igather(mine, 2, MPI_DOUBLE, nullptr, 2, MPI_DOUBLE, 0, team.comm, &request);
  w.wait_as_server(request);
}

void run_job(mpi::World& w, const Order& order, ServedSession& s) {
  const mpi::Team& team = *w.team(static_cast<unsigned>(order.team));
  std::uint64_t mine[2] = {0, s.failed ? 1u : 0u};
  std::vector<double> records;
  if (!s.failed) try {
      const Pass pass = static_cast<Pass>(order.pass);
      if (pass == Pass::compute) make_own_pieces(s, order, team, w.rank());
      if (s.tasks != nullptr) {
        s.tasks->begin_job();
        ++s.jobs;
      }
      if (order.deal == Deal::window)
        mine[0] = pass == Pass::compute
                      ? mpi::sum_own_segment(s.window, static_cast<unsigned>(order.threads))
                      : s.window.count;
      else
        mine[0] = mpi::run_rank_share(*s.work, pass, order.deal, order.grain, &team,
                                      static_cast<unsigned>(w.rank()),
                                      static_cast<unsigned>(order.threads));
      g_last_job_cpu = sched_getcpu();
      if (s.tasks != nullptr) records = records_of_job(s);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "parbench: mpi rank %d: %s\n", w.rank(), e.what());
      mine[1] = 1;
    }
  // The records go first and without waiting: rank 0 takes them after the reduction.
  MPI_Request sent = MPI_REQUEST_NULL, reduced;
  if (order.records != 0)
    MPI_Isend(records.data(), static_cast<int>(records.size()), MPI_DOUBLE, 0, mpi::records_tag,
              w.comm(), &sent);
  MPI_Ireduce(mine, nullptr, 2, MPI_UINT64_T, MPI_SUM, 0, team.comm, &reduced);
  w.wait_as_server(reduced);
  if (sent != MPI_REQUEST_NULL) w.wait_as_server(sent);
}

void run_collectives(mpi::World& w, const Order& order) {
  const mpi::Team& team = *w.team(static_cast<unsigned>(order.team));
  for (std::uint64_t i = 0; i < order.count; ++i) {
    MPI_Request request;
    std::uint64_t one = 1, sum = 0;
    if (order.kind == OrderKind::barriers)
      MPI_Ibarrier(team.comm, &request);
    else
      MPI_Iallreduce(&one, &sum, 1, MPI_UINT64_T, MPI_SUM, team.comm, &request);
    w.wait_as_server(request);
  }
}

int serve(mpi::World& w) {
  std::map<int, ServedSession> sessions;
  for (;;) {
    const Order order = w.next_order();
    switch (order.kind) {
      case OrderKind::open:
        open_session(w, order, sessions);
        break;
      case OrderKind::job:
        run_job(w, order, sessions[order.session]);
        break;
      case OrderKind::close:
        mpi::close_shared_window(sessions[order.session].window);
        sessions.erase(order.session);
        break;
      case OrderKind::window: {
        ServedSession& s = sessions[order.session];
        s.window = mpi::open_shared_window(
            *w.team(static_cast<unsigned>(order.team)), static_cast<unsigned>(w.rank()),
            s.work != nullptr ? s.work->items() : 0, static_cast<unsigned>(order.threads));
        break;
      }
      case OrderKind::barriers:
      case OrderKind::allreduces:
        run_collectives(w, order);
        break;
      case OrderKind::state:
        send_state(w, order);
        break;
      case OrderKind::stop:
        return 0;
    }
  }
}

bool is_rank_zero() {
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  return rank == nullptr || std::string(rank) == "0";
}

// A copy started by the launch probe (mpirun_start): MPI up, one barrier, MPI down.
int say_hello() {
  MPI_Init(nullptr, nullptr);
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Finalize();
  return 0;
}

std::unique_ptr<mpi::World>& rank_zero_world() {
  static std::unique_ptr<mpi::World> w;
  return w;
}

}  // namespace

bool started_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr;
}

std::optional<int> serve_if_mpi_rank(int argc, char** argv) {
  // Before anything else: a spawned child sees OMPI_COMM_WORLD_RANK=0, as a driver does.
  if (argc > 1 && std::string(argv[1]) == mpi::kSpawnedChildFlag)
    return mpi::serve_as_spawned_child(argc, argv);
  if (!started_by_mpirun()) return std::nullopt;
  if (std::getenv("PARBENCH_MPI_HELLO") != nullptr) return say_hello();
  if (is_rank_zero()) return std::nullopt;
  try {
    mpi::World w;
    return serve(w);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: mpi rank cannot start: %s\n", e.what());
    return 1;
  }
}

MpiRun::MpiRun() {
  if (!started_by_mpirun()) return;
  try {
    rank_zero_world() = std::make_unique<mpi::World>();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parbench: cannot start MPI: %s\n", e.what());
    std::exit(1);
  }
}

MpiRun::~MpiRun() {
  rank_zero_world().reset();
}

}  // namespace parbench
