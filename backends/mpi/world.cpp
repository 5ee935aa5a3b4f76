#include "backends/mpi/world.hpp"

#include <signal.h>
#include <unistd.h>

#include "backends/backend.hpp"
#include "backends/mpi/clock_sync.hpp"
#include "backends/mpi/ranks.hpp"
#include "backends/mpi/transport.hpp"

namespace parbench::mpi {
namespace {

World* g_world = nullptr;

// How long the world's set-up may take on any rank before that rank gives up and leaves.
constexpr unsigned kSetUpTimeoutSeconds = 120;

void leave_stuck_set_up(int) {
  constexpr char kWhy[] =
      "parbench: the mpi ranks' set-up did not finish: a rank failed to start or is gone\n";
  (void)!write(STDERR_FILENO, kWhy, sizeof kWhy - 1);
  _exit(1);
}

// While it lives, this rank leaves with a line on stderr once `seconds` have passed: the
// set-up's collectives (MPI_Init_thread's own included) cannot time out, and a rank that failed
// to start leaves the others waiting in them.
class SetUpDeadline {
 public:
  explicit SetUpDeadline(unsigned seconds) {
    struct sigaction action {};
    action.sa_handler = leave_stuck_set_up;
    sigaction(SIGALRM, &action, &previous_);
    alarm(seconds);
  }
  ~SetUpDeadline() {
    alarm(0);
    sigaction(SIGALRM, &previous_, nullptr);
  }
  SetUpDeadline(const SetUpDeadline&) = delete;
  SetUpDeadline& operator=(const SetUpDeadline&) = delete;

 private:
  struct sigaction previous_ {};
};

}  // namespace

World* world() {
  return g_world;
}

World::World() {
  const SetUpDeadline deadline(kSetUpTimeoutSeconds);
  guard_.start();
  place_ = start_mpi();
  teams_.set_up(place_);
  ranks_ = gather_rank_descriptions(place_.comm, place_.rank, place_.size);
  record_watches(liveness_.set_up(ranks_));
  if (!liveness_.spans_hosts()) guard_.release();  // mpirun ends as it should on one host
  record_clock_offsets();
  liveness_.watch_rank_zero();
  g_world = this;
}

World::~World() {
  g_world = nullptr;
  liveness_.finishing();
  if (rank() == 0 && !lost()) tell_the_others_to_stop();
  if (lost()) {
    // MPI_Finalize would wait for the rank that died.
    liveness_.end_a_job_mpirun_would_not_end();
    guard_.release();
    return;
  }
  teams_.free();
  finish_mpi(place_);
  guard_.release();
}

void World::tell_the_others_to_stop() {
  try {
    Order stop;
    stop.kind = OrderKind::stop;
    send_order(stop, size());
  } catch (const WorkerFailure&) {
    // Lost while stopping: the ranks were told to leave.
  }
}

// Rank 0: how each other rank watches it, into its description.
void World::record_watches(const std::vector<std::string>& watches) {
  for (unsigned r = 1; r < watches.size(); ++r) ranks_[r]["watches_rank_0_by"] = watches[r];
}

// Collective: every rank's clock offset, kept for the timelines and, on rank 0, in each rank's
// description.
void World::record_clock_offsets() {
  const std::vector<ClockOffset> clocks = measure_clock_offsets(place_);
  offsets_.assign(size(), 0.0);
  for (unsigned r = 0; r < size(); ++r) offsets_[r] = clocks[r].offset;
  if (rank() != 0) return;
  for (unsigned r = 0; r < size(); ++r) {
    ranks_[r]["clock_offset"] = clocks[r].offset;
    ranks_[r]["clock_round_trip"] = clocks[r].round_trip;
  }
}

bool World::team_on_one_host(unsigned team) const {
  for (unsigned r = 1; r < team && r < ranks_.size(); ++r)
    if (ranks_[r].value("host", "") != ranks_[0].value("host", "")) return false;
  return true;
}

nlohmann::json World::transport() const {
  return describe_transport(ranks_, teams_.why_no_counter());
}

}  // namespace parbench::mpi
