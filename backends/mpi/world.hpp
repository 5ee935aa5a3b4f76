#pragma once
// The MPI world of a run, shared by the mpi backend's files: the ranks mpirun started, the
// orders rank 0 sends the others, the teams (sub-communicators of the first 1, 2, 3, ... ranks,
// each with a one-sided counter) and waiting on MPI without spinning a shared CPU away or
// hanging on a rank that died.
#include <mpi.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "backends/mpi/lifeline.hpp"
#include "kernels/work.hpp"

namespace parbench::mpi {

// How a job's items are dealt to a team's ranks.
enum class Deal : std::int32_t {
  block,   // one contiguous block per rank
  cyclic,  // rank r takes items r, r + P, ...
  queue,   // ranks take the next piece from a counter on rank 0 (MPI_Fetch_and_op): no master
  master,  // rank 0 hands out the next piece to whichever rank asks, and runs none itself
  window,  // block, over one MPI-3 shared-memory window of the team's host (SharedWindow)
};

enum class OrderKind : std::int32_t {
  open,        // a session: the spec (JSON) of its work follows
  job,         // run the session's work as dealt, send rank 0 the tasks' records (timelines)
               // and add the partial result up on rank 0
  close,       // the session ends
  barriers,    // `count` MPI_Barrier on the team
  allreduces,  // `count` 8-byte MPI_Allreduce on the team
  stop,        // the run is over: finalize and exit
  window,      // the session's array in a shared window: allocate it and write its own block
  state,       // send rank 0 (MPI_Gather) this process's CPU seconds and its last job's CPU
};

// What rank 0 tells a serving rank; sent point to point, so that ranks outside a team never
// hear of its jobs.
struct Order {
  OrderKind kind = OrderKind::stop;
  std::int32_t session = 0;
  std::int32_t team = 1;  // ranks in the session's team: the first `team` ranks of the world
  std::int32_t pass = 0;  // Pass
  Deal deal = Deal::block;
  std::int32_t spec_bytes = 0;  // open: length of the spec's JSON
  std::int32_t records = 0;     // job: send rank 0 the tasks' records (its work is a task set)
  std::int32_t threads = 1;     // job, window: OpenMP threads for this rank's share of a sum
  std::uint64_t grain = 1;      // items per piece for queue and master
  std::uint64_t count = 0;      // barriers, allreduces: how many
};

enum Tag : int {
  order_tag = 1,
  spec_tag,
  records_tag,
  request_tag,
  reply_tag,
  clock_tag,
  info_tag,
  // Rank 0 lost a rank: every serving rank leaves at once, without MPI_Finalize (which would
  // wait for the lost one), from whatever it waits in, a job's collective included.
  leave_tag
};

// A team: the first `size` ranks, their communicator, and a counter on its rank 0 that every
// member may take from (a window locked for the whole run, passive target).
struct Team {
  unsigned size = 0;
  MPI_Comm comm = MPI_COMM_NULL;
  MPI_Win counter = MPI_WIN_NULL;
  std::uint64_t* counter_base = nullptr;
  // Why the team has no counter ("" when it has one): Open MPI may have no one-sided component
  // that works between its ranks (over TCP between hosts, its default choice fails).
  std::string no_counter;
};

// The setting that gives Open MPI's one-sided windows a component that works over TCP.
inline constexpr const char* kOneSidedOverTcp = "OMPI_MCA_osc=sm,pt2pt";

// How long the world's set-up may take on any rank before that rank gives up and leaves: its
// collectives cannot time out, and a rank that failed to start leaves the others waiting in them.
inline constexpr unsigned kSetUpTimeoutSeconds = 120;

// How long rank 0 waits for what it asked before it counts a rank as lost: for opening a
// session, timelines, a batch (30 s), and for a job from its start (120 s: the longest task set
// is 60 s serially). Both stay under the run's watchdog (set_watchdog): rank 0 loses the rank,
// tells the others to leave and writes its report before the watchdog would end it.
double control_timeout();
double job_timeout();
void set_watchdog(double job_watchdog_seconds);

class World {
 public:
  // MPI_Init_thread and everything collective that the run needs once: the teams, every rank's
  // description and clock offset. Every rank mpirun started makes one.
  World();
  // Finalizes MPI (rank 0 first tells the others to stop), unless a rank was lost.
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  int rank() const { return rank_; }
  unsigned size() const { return size_; }
  MPI_Comm comm() const { return comm_; }
  // The team of the first `size` ranks; null in a rank outside it or for a size not set up.
  const Team* team(unsigned size) const;
  // The largest team set up of at most `ranks` ranks (at least 1).
  unsigned team_size_for(unsigned ranks) const;
  // Whether the first `team` ranks all run on rank 0's host (rank 0 only).
  bool team_on_one_host(unsigned team) const;
  // More ranks on this host than CPUs this process may use: waiting ranks yield and sleep.
  bool crowded() const { return crowded_; }
  // Some rank runs on another host than rank 0.
  bool spans_hosts() const { return spans_hosts_; }

  // Rank 0: every rank's description, clock offset to rank 0 included.
  const nlohmann::json& ranks() const { return ranks_; }
  // Rank 0: seconds to subtract from rank r's CLOCK_MONOTONIC to read rank 0's.
  double clock_offset(int rank) const { return offsets_[static_cast<std::size_t>(rank)]; }
  // Which transport Open MPI uses between ranks, as far as it says.
  nlohmann::json transport() const;

  // Rank 0: sends `order` to ranks [1, team) and waits until each is sent, after finishing
  // the batch of collectives the serving ranks may be in.
  void send_order(const Order& order, unsigned team);
  // Rank 0: one MPI_Barrier (kind barriers; returns the team's size) or 8-byte MPI_Allreduce
  // of one per rank (allreduces; returns the sum) over the team of `team` ranks. The serving
  // ranks are told in batches, so that each one timed is the collective alone; a batch left
  // unfinished is finished, untimed as far as it can be, before the next order.
  std::uint64_t collective(OrderKind kind, unsigned team);
  // Rank 0: waits for `request`, at most `timeout` seconds from `began` (monotonic_seconds(),
  // the job's start; -1: now), checking that the ranks [1, team) on this host are alive.
  // Throws WorkerFailure and marks the world lost otherwise. Fills `status`, when given, as
  // MPI_Test does.
  void wait(MPI_Request& request, const std::string& what, unsigned team, double timeout,
            MPI_Status* status = nullptr, double began = -1);
  // Throws WorkerFailure when a rank was lost earlier: MPI cannot go on without it.
  void check_not_lost() const;
  bool lost() const { return !lost_.empty(); }
  // Rank 0: a rank is lost for `why`. Tells every rank to leave and throws WorkerFailure.
  [[noreturn]] void lose(const std::string& why);

  // A serving rank: the next order from rank 0; exits the process when rank 0 is gone or
  // says to leave.
  Order next_order();
  // How a serving rank waits: between jobs it soon sleeps between polls; within a job (a
  // master deal's next piece) it spins while each rank has a CPU of its own.
  enum class Waiting { between_jobs, within_a_job };
  // A serving rank: waits for `request`; exits the process when rank 0 is gone (its pid on
  // this host, a lifeline on another) or says to leave.
  void wait_as_server(MPI_Request& request, Waiting waiting = Waiting::between_jobs);

 private:
  void set_up_teams();
  void open_counter(Team& t);
  void learn_ranks();
  void hold_on_to_rank_zero();
  void watch_rank_zero();
  void start_watch();
  void guard_mpirun();
  void release_mpirun_guard();
  bool rank_zero_gone() const;
  [[noreturn]] void leave_at_once() const;
  void measure_clock_offsets();
  std::uint64_t run_collective(OrderKind kind, unsigned team);
  void finish_batch();
  std::string dead_rank_on_this_host(unsigned team) const;
  void tell_every_rank_to_leave();
  void end_a_job_mpirun_would_not_end() const;

  int rank_ = 0;
  unsigned size_ = 1;
  MPI_Comm comm_ = MPI_COMM_NULL;
  std::vector<Team> teams_;  // by size; size 0 unused
  bool crowded_ = false;
  nlohmann::json ranks_ = nlohmann::json::array();
  std::vector<double> offsets_;
  std::vector<int> local_pids_;  // rank 0: pid of each rank on this host, else 0
  int rank0_pid_ = 0;            // a serving rank on rank 0's host: rank 0's pid, else 0
  // Rank 0, when a rank runs on another host: what those ranks hold a lifeline to. There, a
  // serving rank's lifeline to rank 0 (it cannot see rank 0's pid).
  std::unique_ptr<LifelineAnchor> anchor_;
  bool spans_hosts_ = false;  // some rank runs on another host than rank 0
  Lifeline rank0_lifeline_;
  int guard_pipe_ = -1;  // rank 0: to guard_mpirun's process, which ends mpirun if rank 0 dies
  int guard_pid_ = 0;
  std::string lost_;
  // Rank 0: the batch of collectives the serving ranks are in, and how many of it are left.
  OrderKind batch_kind_ = OrderKind::barriers;
  unsigned batch_team_ = 0;
  std::uint64_t batch_left_ = 0;
  // The run is over: the world is being finalized, since finish_began_ (set first).
  std::atomic<bool> finishing_ = false;
  std::atomic<double> finish_began_ = 0;
  std::jthread watcher_;  // start_watch's; last, so it ends first
};

// The world of this process; null outside mpirun.
World* world();

// Open MPI's text for an error code.
std::string mpi_error_text(int code);
// This host's name, as every rank describes itself with.
std::string host_name();
// The mpirun this process was started by, and its name; 0 when the launcher is another (srun,
// a wrapper script, Open MPI's daemon on another host).
std::pair<pid_t, std::string> open_mpi_launcher();
// The path of this program (/proc/self/exe), "" when it cannot be read.
std::string own_executable();

// What a waiting rank watches, to stop waiting for a process that is gone: its pid on this host
// (0: none), a lifeline to it on another (null: none), and its word to leave (leave_tag) as
// rank 0 of `leave_comm` (MPI_COMM_NULL: none).
struct Watched {
  int pid = 0;
  const Lifeline* lifeline = nullptr;
  MPI_Comm leave_comm = MPI_COMM_NULL;
};

// Waits for `request` as a serving rank does (spinning, briefly unless `in_job`, then sleeping
// between polls), at most `timeout` seconds and while `watched` lives and does not say to
// leave: "" once it is complete, else why not. Unlike World::wait it neither throws nor marks
// the world lost: for communicators outside the world (MPI_Comm_spawn's) too.
std::string wait_within(MPI_Request& request, const std::string& what, double timeout, bool crowded,
                        const Watched& watched = {}, bool in_job = false);

// The mpi backend's per-job spawn (the launch probe comm_spawn): rank 0 alone, over a copy of
// MPI_COMM_SELF (the serving ranks take no part), starts `children` new copies of this program
// with MPI_Comm_spawn; each finds its parent, does one empty job (adds 1 to an MPI_Reduce over
// the intercommunicator), disconnects and exits.
class Spawner {
 public:
  // Outside timing: the program's path, the communicator, the spawn's info (oversubscription
  // allowed: the run's ranks may hold every slot; no binding, as parbench's mpirun).
  explicit Spawner(bool crowded);
  ~Spawner();
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;
  // One job on `children` new ranks, waited for at most kControlTimeout: "" when each took
  // part and all disconnected, else what went wrong.
  std::string job(unsigned children);

 private:
  bool crowded_;
  std::string program_;
  std::vector<std::string> args_;
  MPI_Comm self_ = MPI_COMM_NULL;
  MPI_Info info_ = MPI_INFO_NULL;
};

// The setting of mpirun's environment without which MPI_Comm_spawn in a job on several hosts
// hangs now and then in Debian 12's Open MPI 4.1 with its PMIx 4.2 (openpmix/openpmix#2735).
inline constexpr const char* kSpawnSafeSetting = "PMIX_MCA_gds=hash";
// Why MPI_Comm_spawn may hang this run ("" when it should not): a hang would end the run with
// its watchdog, so the probe is not run then and says why.
std::string spawn_hazard(const World& w);

// The first argument that makes this program a child of Spawner: MPI_Init, one empty job for the
// parent, MPI_Finalize; never a driver or a server of a run (its environment says it is rank 0
// of a world of its own).
inline constexpr const char* kSpawnedChildFlag = "--mpi-spawned-child";
// A child's life, from main: `argv` = {program, kSpawnedChildFlag, parent's pid, parent's host}.
// Returns its exit status.
int serve_as_spawned_child(int argc, char** argv);

// Runs the items team rank `rank` of `ranks` takes under `deal` for `pass` and returns its
// partial result. `team` is null for a team of one (no MPI call is made). Block and cyclic
// shares are split again over `threads` OpenMP threads (MPI+X), the same way.
std::uint64_t run_rank_share(Work& work, Pass pass, Deal deal, std::uint64_t grain,
                             const Team* team, unsigned rank, unsigned threads = 1);

// Rank 0 of a master deal: hands out pieces of `grain` of `items` to ranks [1, team) on request
// until each has been told there are no more, within job_timeout() of the job's start `began`.
void hand_out_pieces(World& w, const Team& team, std::size_t items, std::uint64_t grain,
                     double began);

// A sum's array in one MPI-3 shared-memory window of a team on one host
// (MPI_Win_allocate_shared): each rank's segment is its block of the array, which it writes
// first (its pages are placed by that first touch) and sums reading the shared memory directly.
struct SharedWindow {
  MPI_Win win = MPI_WIN_NULL;
  std::uint64_t* mine = nullptr;  // this rank's segment: items [first, first + count)
  std::size_t first = 0, count = 0;
};

// Collective over `team`: allocates the window of a sum of `items` and writes this rank's
// block (element i is i, as SumWork's). Rank 0 then reads every segment through the window
// once and throws std::runtime_error when the whole is not the expected sum (the memory is not
// shared after all).
SharedWindow open_shared_window(const Team& team, unsigned rank, std::size_t items,
                                unsigned threads);
// This rank's partial result: its own segment, read where it lies by `threads` threads.
std::uint64_t sum_own_segment(const SharedWindow& window, unsigned threads);
// Collective over the team again; no-op for a window never opened.
void close_shared_window(SharedWindow& window);

// CPU seconds this process has used so far (all its threads).
double process_cpu_seconds();

// This rank's description for the report: host, pid, CPU model, affinity, topology.
nlohmann::json describe_this_rank();

}  // namespace parbench::mpi
