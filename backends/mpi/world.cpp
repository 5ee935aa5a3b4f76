#include "backends/mpi/world.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "backends/backend.hpp"
#include "kernels/partition.hpp"
#include "kernels/sum.hpp"
#include "kernels/tasks.hpp"
#include "platform/machine.hpp"
#include "platform/topology.hpp"

namespace parbench::mpi {
namespace {

World* g_world = nullptr;

// Team sizes set up at start: every size up to this, then powers of two and the world's size
// (each is a communicator and a window, made once for the run).
constexpr unsigned kEverySizeUpTo = 16;

double now() {
  return monotonic_seconds();
}

}  // namespace

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, static_cast<std::size_t>(length));
}

namespace {

// Throws when an MPI call at start fails: without MPI the run cannot be what was asked.
void check(int code, const char* what) {
  if (code != MPI_SUCCESS)
    throw std::runtime_error(std::string(what) + ": " + mpi_error_text(code));
}

// How a rank waits for MPI. Open MPI's blocking calls spin, and a rank that spins while it waits
// takes a CPU from whoever works: rank 0's other backends between MPI's jobs, a busy rank when
// ranks outnumber CPUs. So a rank polls: it spins only briefly, or yields when crowded, and
// then sleeps between polls, longer the longer it has waited (at most a fiftieth of it).
class Patience {
 public:
  Patience(bool crowded, double spin_seconds, double longest_sleep)
      : crowded_(crowded), spin_(spin_seconds), longest_(longest_sleep), began_(now()) {}

  void pause() {
    const double waited = now() - began_;
    if (waited < spin_) {
      if (crowded_) sched_yield();
      return;
    }
    const double sleep = std::clamp(waited / 50, 10e-6, longest_);
    const timespec ts{0, static_cast<long>(sleep * 1e9)};
    nanosleep(&ts, nullptr);
  }
  double waited() const { return now() - began_; }

 private:
  bool crowded_;
  double spin_, longest_, began_;
};

// Inside a job (rank 0 for its end, a rank of a master deal for its next piece) a rank spins
// while each rank has a CPU of its own (1 s), else 50 us; a serving rank 200 us for the next
// order after its last, so that jobs sent back to back (a dispatch benchmark) find it awake.
Patience in_job_patience(bool crowded) {
  return Patience(crowded, crowded ? 50e-6 : 1.0, 500e-6);
}
Patience between_jobs_patience(bool crowded) {
  return Patience(crowded, 200e-6, 2e-3);
}

bool process_gone(int pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0) return errno == ESRCH;
  // A zombie has ended; its parent (mpirun) has not reaped it yet.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const auto paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() &&
         (text[paren + 2] == 'Z' || text[paren + 2] == 'X');
}

// The Open MPI components this process has loaded, of one framework ("pml", "btl"): Open MPI
// unloads those it did not select, so what is mapped is what runs.
std::vector<std::string> loaded_components(const std::string& framework) {
  std::vector<std::string> found;
  std::ifstream maps("/proc/self/maps");
  const std::string marker = "mca_" + framework + "_";
  for (std::string line; std::getline(maps, line);) {
    const auto at = line.find(marker);
    if (at == std::string::npos) continue;
    std::string name = line.substr(at + marker.size());
    name = name.substr(0, name.find('.'));
    if (std::find(found.begin(), found.end(), name) == found.end()) found.push_back(name);
  }
  return found;
}

// A string MCA parameter as Open MPI holds it (MPI_T), "" when it has none.
std::string mca_parameter(const char* name) {
  int index = -1;
  if (MPI_T_cvar_get_index(name, &index) != MPI_SUCCESS) return "";
  MPI_T_cvar_handle handle;
  int count = 0;
  if (MPI_T_cvar_handle_alloc(index, nullptr, &handle, &count) != MPI_SUCCESS) return "";
  std::string value(4096, '\0');
  if (count > 0 && count < 4096) MPI_T_cvar_read(handle, value.data());
  MPI_T_cvar_handle_free(&handle);
  return value.substr(0, value.find('\0'));
}

// Runs piece(begin, end, stride) on each of `threads` OpenMP threads' part of the items begin,
// begin + stride, ... below end, split as the ranks split the array (a contiguous share in
// sub-blocks, a strided one cyclically), and adds up what they return. Only MPI's own thread
// calls MPI (MPI_THREAD_FUNNELED); the threads only read and write memory.
template <typename Piece>
std::uint64_t on_threads(std::size_t begin, std::size_t end, std::size_t stride, unsigned threads,
                         const Piece& piece) {
  if (begin >= end) return 0;
  if (threads <= 1) return piece(begin, end, stride);
  std::uint64_t total = 0;
  const int count = static_cast<int>(threads);
#ifdef PARBENCH_HAVE_OPENMP
#pragma omp parallel for num_threads(count) reduction(+ : total) schedule(static, 1)
#endif
  for (int t = 0; t < count; ++t) {
    const auto i = static_cast<std::size_t>(t);
    if (stride == 1) {
      const Range sub = block_range(end - begin, threads, i);
      if (sub.size() > 0) total += piece(begin + sub.begin, begin + sub.end, std::size_t{1});
    } else if (begin + i * stride < end) {
      total += piece(begin + i * stride, end, stride * threads);
    }
  }
  return total;
}

}  // namespace

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

nlohmann::json describe_this_rank() {
  return {{"host", host_name()},
          {"pid", getpid()},
          {"cpu_model", cpu_identity().model_name},
          {"affinity", cpu_list_string(affinity_cpus())},
          {"usable_cpus", usable_cpus()},
          {"topology", topology_summary(topology())}};
}

std::string host_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

std::string own_executable() {
  std::string path(4096, '\0');
  const ssize_t n = readlink("/proc/self/exe", path.data(), path.size() - 1);
  return n > 0 ? path.substr(0, static_cast<std::size_t>(n)) : "";
}

namespace {
double g_watchdog = std::numeric_limits<double>::infinity();
}  // namespace

void set_watchdog(double job_watchdog_seconds) {
  g_watchdog = job_watchdog_seconds;
}
double control_timeout() {
  return std::min(30.0, 0.8 * g_watchdog);
}
double job_timeout() {
  return std::min(120.0, 0.8 * g_watchdog);
}

World* world() {
  return g_world;
}

namespace {

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

World::World() {
  const SetUpDeadline deadline(kSetUpTimeoutSeconds);
  guard_mpirun();
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  rank_ = rank;
  size_ = static_cast<unsigned>(size);
  // A communicator of parbench's own, whose errors come back as codes: a lost rank must become
  // a benchmark's error, not the end of the process.
  check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  MPI_Comm host;
  check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &host),
        "MPI_Comm_split_type");
  int on_host = 1;
  MPI_Comm_size(host, &on_host);
  MPI_Comm_free(&host);
  crowded_ = static_cast<unsigned>(on_host) > usable_cpus();
  set_up_teams();
  learn_ranks();
  if (!spans_hosts_) release_mpirun_guard();  // mpirun ends as it should on one host
  measure_clock_offsets();
  watch_rank_zero();
  g_world = this;
}

World::~World() {
  g_world = nullptr;
  finish_began_ = now();
  finishing_ = true;
  if (!watcher_.joinable()) start_watch();
  if (rank_ == 0 && !lost()) try {
      Order stop;
      stop.kind = OrderKind::stop;
      send_order(stop, size_);
    } catch (const WorkerFailure&) {
      // Lost while stopping: the ranks were told to leave.
    }
  if (lost()) {
    // MPI_Finalize would wait for the rank that died.
    end_a_job_mpirun_would_not_end();
    release_mpirun_guard();
    return;
  }
  for (auto& t : teams_) {
    if (t.counter != MPI_WIN_NULL) {
      MPI_Win_unlock_all(t.counter);
      MPI_Win_free(&t.counter);
    }
    if (t.comm != MPI_COMM_NULL) MPI_Comm_free(&t.comm);
  }
  MPI_Comm_free(&comm_);
  MPI_Finalize();
  release_mpirun_guard();
}

void World::set_up_teams() {
  teams_.resize(size_ + 1);
  for (unsigned s = 1; s <= size_; ++s) {
    const bool wanted = s <= kEverySizeUpTo || (s & (s - 1)) == 0 || s == size_;
    if (!wanted) continue;
    Team& t = teams_[s];
    t.size = s;
    const bool member = static_cast<unsigned>(rank_) < s;
    // Collective over the world: every rank takes part, members or not.
    check(MPI_Comm_split(comm_, member ? 0 : MPI_UNDEFINED, rank_, &t.comm), "MPI_Comm_split");
    if (!member) continue;
    MPI_Comm_set_errhandler(t.comm, MPI_ERRORS_RETURN);
    open_counter(t);
  }
}

// The team's counter, or why it has none. Every member learns whether all could make it: a
// window that only some hold is never used, nor freed (freeing is collective).
void World::open_counter(Team& t) {
  void* base = nullptr;
  const int code = MPI_Win_allocate(rank_ == 0 ? sizeof(std::uint64_t) : 0, sizeof(std::uint64_t),
                                    MPI_INFO_NULL, t.comm, &base, &t.counter);
  int made = code == MPI_SUCCESS ? 1 : 0, all_made = 0;
  check(MPI_Allreduce(&made, &all_made, 1, MPI_INT, MPI_MIN, t.comm), "MPI_Allreduce");
  if (all_made == 1) {
    t.counter_base = static_cast<std::uint64_t*>(base);
    if (rank_ == 0) *t.counter_base = 0;
    MPI_Win_lock_all(MPI_MODE_NOCHECK, t.counter);
    return;
  }
  t.counter = MPI_WIN_NULL;
  t.no_counter = "MPI_Win_allocate over the team's " + std::to_string(t.size) + " ranks failed (" +
                 (made == 1 ? std::string("on another rank") : mpi_error_text(code)) +
                 "): Open MPI has no one-sided component that works between these ranks; over "
                 "TCP give mpirun -x " +
                 kOneSidedOverTcp;
}

const Team* World::team(unsigned size) const {
  if (size == 0 || size >= teams_.size() || teams_[size].comm == MPI_COMM_NULL) return nullptr;
  return &teams_[size];
}

bool World::team_on_one_host(unsigned team) const {
  for (unsigned r = 1; r < team && r < ranks_.size(); ++r)
    if (ranks_[r].value("host", "") != ranks_[0].value("host", "")) return false;
  return true;
}

unsigned World::team_size_for(unsigned ranks) const {
  for (unsigned s = std::min(ranks, size_); s > 1; --s)
    if (teams_[s].size == s) return s;
  return 1;
}

// Every rank describes itself to rank 0, which keeps the descriptions for the report and the
// pids of the ranks on its host, to see them die; each rank on rank 0's host learns rank 0's pid.
void World::learn_ranks() {
  const std::string mine = describe_this_rank().dump();
  local_pids_.assign(size_, 0);
  if (rank_ == 0) {
    ranks_.push_back(nlohmann::json::parse(mine));
    ranks_.back()["rank"] = 0;
    const std::string my_host = ranks_[0]["host"];
    for (unsigned r = 1; r < size_; ++r) {
      MPI_Status status;
      MPI_Probe(static_cast<int>(r), info_tag, comm_, &status);
      int bytes = 0;
      MPI_Get_count(&status, MPI_CHAR, &bytes);
      std::string text(static_cast<std::size_t>(bytes), '\0');
      MPI_Recv(text.data(), bytes, MPI_CHAR, static_cast<int>(r), info_tag, comm_,
               MPI_STATUS_IGNORE);
      nlohmann::json rank = nlohmann::json::parse(text);
      rank["rank"] = r;
      if (rank["host"] == my_host) local_pids_[r] = rank["pid"];
      ranks_.push_back(std::move(rank));
    }
  } else {
    MPI_Send(mine.data(), static_cast<int>(mine.size()), MPI_CHAR, 0, info_tag, comm_);
  }
  // Rank 0's host and pid, to every rank: a rank on the same host sees it die.
  std::string host = rank_ == 0 ? host_name() : std::string(256, '\0');
  host.resize(256, '\0');
  int pid = getpid();
  MPI_Bcast(host.data(), 256, MPI_CHAR, 0, comm_);
  MPI_Bcast(&pid, 1, MPI_INT, 0, comm_);
  if (rank_ != 0 && host.substr(0, host.find('\0')) == host_name()) rank0_pid_ = pid;
  hold_on_to_rank_zero();
}

// A rank on another host than rank 0 cannot see rank 0's process end; a lifeline to it can.
// Rank 0 records how each rank watches it; a rank that cannot says so.
void World::hold_on_to_rank_zero() {
  const bool elsewhere = rank_ != 0 && rank0_pid_ == 0;
  int any_elsewhere = 0;
  const int mine = elsewhere ? 1 : 0;
  MPI_Allreduce(&mine, &any_elsewhere, 1, MPI_INT, MPI_MAX, comm_);
  spans_hosts_ = any_elsewhere != 0;
  if (spans_hosts_) {
    if (rank_ == 0) anchor_ = std::make_unique<LifelineAnchor>();
    std::string address = rank_ == 0 ? anchor_->address() : "";
    int length = static_cast<int>(address.size());
    MPI_Bcast(&length, 1, MPI_INT, 0, comm_);
    address.resize(static_cast<std::size_t>(length));
    MPI_Bcast(address.data(), length, MPI_CHAR, 0, comm_);
    if (elsewhere) rank0_lifeline_ = Lifeline(address);
    if (elsewhere && !rank0_lifeline_.connected())
      std::fprintf(stderr,
                   "parbench: mpi rank %d on %s: no lifeline to rank 0 (nothing answered at "
                   "port and addresses '%s'): if rank 0 dies, this rank stays until mpirun "
                   "ends it\n",
                   rank_, host_name().c_str(), address.c_str());
  }
  enum Watch : int { pid, lifeline, nothing };
  const int watch = !elsewhere ? pid : rank0_lifeline_.connected() ? lifeline : nothing;
  std::vector<int> watches(rank_ == 0 ? size_ : 0);
  MPI_Gather(&watch, 1, MPI_INT, watches.data(), 1, MPI_INT, 0, comm_);
  for (unsigned r = 1; r < watches.size(); ++r)
    ranks_[r]["watches_rank_0_by"] = watches[r] == pid        ? "its pid (same host)"
                                     : watches[r] == lifeline ? "a lifeline (TCP)"
                                                              : "nothing (no lifeline)";
}

// A serving rank's watch that makes no MPI call: it ends this process when rank 0's ended,
// whatever MPI call the rank is blocked in (a one-sided flush, a window's collective) and
// however its waits poll.
void World::watch_rank_zero() {
  if (rank_ != 0 && (rank0_pid_ != 0 || rank0_lifeline_.connected())) start_watch();
}

// The watch; while the world is finalized, every rank's guard instead. Then only time counts:
// rank 0 may end before another rank's MPI_Finalize returns in a good run, and a rank lost
// after the stop order leaves the others in collectives that cannot time out.
void World::start_watch() {
  watcher_ = std::jthread([this](const std::stop_token& stop) {
    constexpr double kLongestFinish = 60;  // rank 0 may wait 30 s for its stop order to go out
    std::mutex mutex;
    std::condition_variable_any woken;
    std::unique_lock lock(mutex);
    const auto told_to_stop = [&stop] { return stop.stop_requested(); };
    while (!woken.wait_for(lock, stop, std::chrono::milliseconds(20), told_to_stop)) {
      if (finishing_) {
        if (now() - finish_began_ < kLongestFinish) continue;
        std::fprintf(stderr,
                     "parbench: mpi rank %d: MPI's end did not finish within %.0f s (a rank is "
                     "gone): leaving without it\n",
                     rank_, kLongestFinish);
        leave_at_once();
      }
      if (rank_zero_gone()) leave_at_once();
    }
  });
}

bool World::rank_zero_gone() const {
  return process_gone(rank0_pid_) || rank0_lifeline_.broken();
}

void World::leave_at_once() const {
  end_a_job_mpirun_would_not_end();
  std::fflush(nullptr);
  _exit(1);
}

// Ping-pong between rank 0 and each rank: the offset of the exchange with the shortest round
// trip, whose midpoint is known best (as NTP does). On one host the clocks are the same one,
// and the offsets show how well this is measured.
void World::measure_clock_offsets() {
  constexpr int kRounds = 32;
  offsets_.assign(size_, 0.0);
  for (unsigned r = 1; r < size_; ++r) {
    const int peer = static_cast<int>(r);
    if (rank_ == 0) {
      double best_trip = 1e30, offset = 0;
      for (int i = 0; i < kRounds; ++i) {
        double theirs = 0;
        const double sent = now();
        MPI_Send(&sent, 1, MPI_DOUBLE, peer, clock_tag, comm_);
        MPI_Recv(&theirs, 1, MPI_DOUBLE, peer, clock_tag, comm_, MPI_STATUS_IGNORE);
        const double back = now();
        if (back - sent < best_trip) {
          best_trip = back - sent;
          offset = theirs - (sent + back) / 2;
        }
      }
      offsets_[r] = offset;
      ranks_[r]["clock_offset"] = offset;
      ranks_[r]["clock_round_trip"] = best_trip;
    } else if (static_cast<unsigned>(rank_) == r) {
      for (int i = 0; i < kRounds; ++i) {
        double theirs = 0;
        MPI_Recv(&theirs, 1, MPI_DOUBLE, 0, clock_tag, comm_, MPI_STATUS_IGNORE);
        const double mine = now();
        MPI_Send(&mine, 1, MPI_DOUBLE, 0, clock_tag, comm_);
      }
    }
  }
  if (rank_ == 0) {
    ranks_[0]["clock_offset"] = 0.0;
    ranks_[0]["clock_round_trip"] = 0.0;
  }
}

nlohmann::json World::transport() const {
  std::vector<std::string> hosts;
  for (const auto& r : ranks_)
    if (std::find(hosts.begin(), hosts.end(), r.value("host", "")) == hosts.end())
      hosts.push_back(r.value("host", ""));
  const auto pml = loaded_components("pml");
  const auto btl = loaded_components("btl");
  const auto osc = loaded_components("osc");
  const bool ob1 = std::find(pml.begin(), pml.end(), "ob1") != pml.end();
  const bool vader = std::find(btl.begin(), btl.end(), "vader") != btl.end();
  const bool tcp = std::find(btl.begin(), btl.end(), "tcp") != btl.end();
  std::string within = !ob1    ? "pml " + (pml.empty() ? std::string("?") : pml.front())
                       : vader ? "shared memory (btl vader)"
                       : tcp   ? "TCP (btl tcp)"
                               : "?";
  nlohmann::json t = {{"hosts", hosts.size()},
                      {"pml", pml},
                      {"btl", btl},
                      {"btl_setting", mca_parameter("btl")},
                      {"osc", osc},
                      {"osc_setting", mca_parameter("osc")},
                      {"within_a_host", within}};
  for (unsigned s = 2; s < teams_.size(); ++s)
    if (!teams_[s].no_counter.empty()) {
      t["one_sided"] = "none from " + std::to_string(s) + " ranks on: " + teams_[s].no_counter;
      break;
    }
  if (hosts.size() > 1) t["between_hosts"] = ob1 && tcp ? "TCP (btl tcp)" : within;
  return t;
}

// Waits a while for the words to go out (over TCP they need rank 0's progress), not for ever:
// the lost rank's may never.
void World::tell_every_rank_to_leave() {
  constexpr double kLongestGoodbye = 2;
  static const char leave = 1;  // outlives a send not done when this gives up
  std::vector<MPI_Request> requests;
  for (unsigned r = 1; r < size_; ++r) {
    MPI_Request request;
    if (MPI_Isend(&leave, 1, MPI_CHAR, static_cast<int>(r), leave_tag, comm_, &request) ==
        MPI_SUCCESS)
      requests.push_back(request);
  }
  Patience patience = in_job_patience(crowded_);
  for (auto& request : requests) {
    int done = 0;
    while (patience.waited() < kLongestGoodbye) {
      if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || done) break;
      patience.pause();
    }
    if (!done && request != MPI_REQUEST_NULL) MPI_Request_free(&request);
  }
}

// Ending Open MPI's daemon on another host does not end mpirun: only mpirun counts.
std::pair<pid_t, std::string> open_mpi_launcher() {
  const pid_t parent = getppid();
  std::ifstream comm("/proc/" + std::to_string(parent) + "/comm");
  std::string name;
  std::getline(comm, name);
  for (const char* launcher : {"mpirun", "mpiexec", "orterun"})
    if (name == launcher) return {parent, name};
  return {0, ""};
}

// Open MPI 4.1's mpirun under --enable-recovery never ends once a job on several hosts lost a
// rank, even after every other rank has left (a plain program shows it too). So a rank on
// mpirun's host ends it: rank 0, its report written, after a rank was lost; a serving rank when
// rank 0 is gone. Whether recovery is on cannot be read reliably from a rank (the command
// line, environment, parameter files and tune files all set it), and without it mpirun is
// ending the job anyway: so it is done whenever the job spans hosts. On one host mpirun ends
// as it should.
void World::end_a_job_mpirun_would_not_end() const {
  if (!spans_hosts_) return;
  const auto [launcher, name] = open_mpi_launcher();
  if (launcher == 0) return;
  std::fprintf(stderr,
               "parbench: mpi rank %d: ending %s (pid %d): Open MPI 4.1 may not end a job on "
               "several hosts that lost a rank (under --enable-recovery)\n",
               rank_, name.c_str(), launcher);
  std::fflush(nullptr);
  kill(launcher, SIGTERM);
}

namespace {

// The mpirun guard's life (guard_mpirun): it holds nothing of rank 0's but the pipe's read end,
// so that rank 0's sockets (the lifeline's anchor above all) close when rank 0 ends; a byte
// from rank 0 means it finished, the pipe's end without one that it died. Async-signal-safe
// calls only: the process it was forked from has threads.
[[noreturn]] void guard_mpirun_until_rank_zero_ends(const int ends[2], pid_t launcher,
                                                    const std::string& why, int open_files) {
  constexpr int kPipe = 3;
  close(ends[1]);
  if (ends[0] != kPipe) dup2(ends[0], kPipe);
  if (close_range(kPipe + 1, ~0U, 0) != 0)
    for (int fd = kPipe + 1; fd < open_files; ++fd) close(fd);
  char finished = 0;
  ssize_t n = 0;
  while ((n = read(kPipe, &finished, 1)) < 0 && errno == EINTR) {
  }
  if (n == 1) _exit(0);
  // The other ranks leave within moments (their watch of rank 0); mpirun may then end by itself.
  constexpr int kGraceInTenths = 30;
  for (int i = 0; i < kGraceInTenths && kill(launcher, 0) == 0; ++i) {
    const timespec tenth{0, 100'000'000};
    nanosleep(&tenth, nullptr);
  }
  if (kill(launcher, 0) == 0) {
    (void)!write(STDERR_FILENO, why.data(), why.size());
    kill(launcher, SIGTERM);
  }
  _exit(0);
}

}  // namespace

// Rank 0 that mpirun started on this host, before MPI starts (no MPI file descriptor, no
// lifeline anchor to keep open): a process of its own that ends mpirun if rank 0 ends without
// finishing (killed, or its run ended early), in a job on several hosts, where Open MPI 4.1's
// mpirun may not end by itself (end_a_job_mpirun_would_not_end) and no other rank may be on
// this host to end it. Released at once on one host.
void World::guard_mpirun() {
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  if (rank == nullptr || std::string(rank) != "0") return;
  const auto [launcher, name] = open_mpi_launcher();
  if (launcher == 0) return;
  const std::string why =
      "parbench: mpi rank 0 ended without finishing (killed, or its run "
      "ended early): ending " +
      name + " (pid " + std::to_string(launcher) +
      "), which Open MPI 4.1 may not end in a job on several hosts\n";
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  const int open_files = files.rlim_cur == RLIM_INFINITY
                             ? 1 << 16
                             : static_cast<int>(std::min<rlim_t>(files.rlim_cur, 1 << 20));
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return;
  std::fflush(nullptr);
  const pid_t guard = fork();
  if (guard == 0) guard_mpirun_until_rank_zero_ends(ends, launcher, why, open_files);
  close(ends[0]);
  if (guard < 0) {
    close(ends[1]);
    return;
  }
  guard_pipe_ = ends[1];
  guard_pid_ = guard;
}

void World::release_mpirun_guard() {
  if (guard_pipe_ < 0) return;
  const char finished = 1;
  (void)!write(guard_pipe_, &finished, 1);
  close(guard_pipe_);
  guard_pipe_ = -1;
  int status = 0;
  while (waitpid(guard_pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

std::string World::dead_rank_on_this_host(unsigned team) const {
  for (unsigned r = 1; r < team && r < size_; ++r)
    if (process_gone(local_pids_[r]))
      return "mpi rank " + std::to_string(r) + " (pid " + std::to_string(local_pids_[r]) + ") died";
  return "";
}

void World::lose(const std::string& why) {
  lost_ = why;
  tell_every_rank_to_leave();
  throw WorkerFailure(why + " (MPI cannot go on without it: every later mpi benchmark fails)");
}

void World::check_not_lost() const {
  if (lost())
    throw WorkerFailure("an MPI rank was lost earlier in the run (" + lost_ +
                        "): Open MPI 4.1 cannot go on without it");
}

void World::wait(MPI_Request& request, const std::string& what, unsigned team, double timeout,
                 MPI_Status* status, double began) {
  Patience patience = in_job_patience(crowded_);
  const double since = began < 0 ? now() : began;
  double next_check = 0.01;
  for (;;) {
    int done = 0;
    if (const int code = MPI_Test(&request, &done, status != nullptr ? status : MPI_STATUS_IGNORE);
        code != MPI_SUCCESS)
      lose("MPI error while waiting for " + what + ": " + mpi_error_text(code));
    if (done) return;
    const double waited = patience.waited();
    if (waited > next_check) {
      next_check = waited + 0.01;
      if (const std::string dead = dead_rank_on_this_host(team); !dead.empty()) lose(dead);
      if (now() - since > timeout)
        lose("no answer for " + what + " within " + std::to_string(static_cast<int>(timeout)) +
             " s" + (began < 0 ? "" : " of the job's start"));
    }
    patience.pause();
  }
}

namespace {

bool told_to_leave(MPI_Comm comm) {
  if (comm == MPI_COMM_NULL) return false;
  int said = 0;
  MPI_Iprobe(0, leave_tag, comm, &said, MPI_STATUS_IGNORE);
  return said != 0;
}

}  // namespace

std::string wait_within(MPI_Request& request, const std::string& what, double timeout, bool crowded,
                        const Watched& watched, bool in_job) {
  Patience patience = in_job ? in_job_patience(crowded) : between_jobs_patience(crowded);
  double next_check = 0.01;
  for (;;) {
    int done = 0;
    if (const int code = MPI_Test(&request, &done, MPI_STATUS_IGNORE); code != MPI_SUCCESS)
      return "MPI error while waiting for " + what + ": " + mpi_error_text(code);
    if (done) return "";
    const double waited = patience.waited();
    if (waited > next_check) {
      next_check = waited + 0.01;
      if (process_gone(watched.pid))
        return "process " + std::to_string(watched.pid) + " ended while waiting for " + what;
      if (watched.lifeline != nullptr && watched.lifeline->broken())
        return "the process on another host ended while waiting for " + what;
      if (told_to_leave(watched.leave_comm)) return "told to leave while waiting for " + what;
      if (waited > timeout)
        return "no answer for " + what + " within " + std::to_string(static_cast<int>(timeout)) +
               " s";
    }
    patience.pause();
  }
}

void World::send_order(const Order& order, unsigned team) {
  check_not_lost();
  finish_batch();
  std::vector<MPI_Request> requests(team > 0 ? team - 1 : 0);
  for (unsigned r = 1; r < team; ++r)
    if (MPI_Isend(&order, sizeof order, MPI_BYTE, static_cast<int>(r), order_tag, comm_,
                  &requests[r - 1]) != MPI_SUCCESS)
      lose("cannot send an order to mpi rank " + std::to_string(r));
  for (auto& request : requests) wait(request, "an order to be sent", team, control_timeout());
}

// Small batches: what is left of one is finished in whichever job comes next (64 barriers are
// about 0.1 ms here), and one order per batch costs a fraction of one collective.
constexpr std::uint64_t kBatch = 64;

std::uint64_t World::collective(OrderKind kind, unsigned team) {
  if (team <= 1) return 1;
  if (batch_left_ == 0 || batch_kind_ != kind || batch_team_ != team) {
    Order order;
    order.kind = kind;
    order.team = static_cast<std::int32_t>(team);
    order.count = kBatch;
    send_order(order, team);
    batch_kind_ = kind;
    batch_team_ = team;
    batch_left_ = kBatch;
  }
  --batch_left_;
  return run_collective(kind, team);
}

std::uint64_t World::run_collective(OrderKind kind, unsigned team) {
  const MPI_Comm comm = teams_[team].comm;
  MPI_Request request;
  std::uint64_t one = 1, sum = team;
  if (kind == OrderKind::barriers)
    MPI_Ibarrier(comm, &request);
  else
    MPI_Iallreduce(&one, &sum, 1, MPI_UINT64_T, MPI_SUM, comm, &request);
  wait(request, kind == OrderKind::barriers ? "a barrier" : "an allreduce", team,
       control_timeout());
  return sum;
}

void World::finish_batch() {
  for (; batch_left_ > 0; --batch_left_) run_collective(batch_kind_, batch_team_);
}

void World::wait_as_server(MPI_Request& request, Waiting waiting) {
  // Rank 0 ended without a word (killed, or its run ended early), said to leave, or MPI failed:
  // nothing is left to serve.
  const double no_limit = std::numeric_limits<double>::infinity();
  const Watched rank0{rank0_pid_, &rank0_lifeline_, comm_};
  const bool in_job = waiting == Waiting::within_a_job;
  if (!wait_within(request, "rank 0", no_limit, crowded_, rank0, in_job).empty()) {
    if (rank_zero_gone()) leave_at_once();
    std::fflush(nullptr);
    _exit(1);
  }
}

Order World::next_order() {
  Order order;
  MPI_Request request;
  MPI_Irecv(&order, sizeof order, MPI_BYTE, 0, order_tag, comm_, &request);
  wait_as_server(request);
  return order;
}

std::uint64_t run_rank_share(Work& work, Pass pass, Deal deal, std::uint64_t grain,
                             const Team* team, unsigned rank, unsigned threads) {
  const std::size_t n = work.items();
  const auto apply = [&](std::size_t begin, std::size_t end, std::size_t stride) {
    return work.apply(pass, rank, begin, end, stride);
  };
  if (team == nullptr || team->size == 1) return on_threads(0, n, 1, threads, apply);
  const unsigned ranks = team->size;
  switch (deal) {
    case Deal::block:
    case Deal::window: {  // a window's ranks sum their segment (sum_own_segment) instead
      const Range r = block_range(n, ranks, rank);
      return on_threads(r.begin, r.end, 1, threads, apply);
    }
    case Deal::cyclic:
      return on_threads(rank, n, ranks, threads, apply);
    case Deal::queue: {
      std::uint64_t total = 0;
      for (;;) {
        std::uint64_t begin = 0;
        MPI_Fetch_and_op(&grain, &begin, MPI_UINT64_T, 0, 0, MPI_SUM, team->counter);
        MPI_Win_flush(0, team->counter);
        if (begin >= n) return total;
        total += work.apply(pass, rank, begin, std::min<std::size_t>(n, begin + grain), 1);
      }
    }
    case Deal::master: {
      if (rank == 0) return 0;  // rank 0 hands out the pieces (hand_out_pieces)
      std::uint64_t total = 0;
      for (;;) {
        std::uint64_t begin = 0;
        const int want = 1;
        MPI_Request asked = MPI_REQUEST_NULL, answered = MPI_REQUEST_NULL;
        if (MPI_Isend(&want, 1, MPI_INT, 0, request_tag, team->comm, &asked) != MPI_SUCCESS ||
            MPI_Irecv(&begin, 1, MPI_UINT64_T, 0, reply_tag, team->comm, &answered) != MPI_SUCCESS)
          throw std::runtime_error("cannot ask rank 0 for a piece: MPI failed");
        world()->wait_as_server(asked, World::Waiting::within_a_job);
        world()->wait_as_server(answered, World::Waiting::within_a_job);
        if (begin >= n) return total;
        total += work.apply(pass, rank, begin, std::min<std::size_t>(n, begin + grain), 1);
      }
    }
  }
  return 0;
}

SharedWindow open_shared_window(const Team& team, unsigned rank, std::size_t items,
                                unsigned threads) {
  SharedWindow w;
  const Range block = block_range(items, team.size, rank);
  w.first = block.begin;
  w.count = block.size();
  void* base = nullptr;
  check(MPI_Win_allocate_shared(static_cast<MPI_Aint>(w.count * sizeof(std::uint64_t)),
                                sizeof(std::uint64_t), MPI_INFO_NULL, team.comm, &base, &w.win),
        "MPI_Win_allocate_shared (every rank of the team must be on one host)");
  w.mine = static_cast<std::uint64_t*>(base);
  // Passive target for the window's life: loads and stores, with MPI_Win_sync as the fence
  // the unified memory model asks for between a rank's stores and another's loads.
  MPI_Win_lock_all(MPI_MODE_NOCHECK, w.win);
  // Written by the threads that will read it, as the ranks' blocks are.
  on_threads(0, w.count, 1, threads, [&w](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t i = begin; i < end; ++i) w.mine[i] = w.first + i;
    return std::uint64_t{end - begin};
  });
  MPI_Win_sync(w.win);
  MPI_Request written;
  MPI_Ibarrier(team.comm, &written);
  if (rank == 0)
    world()->wait(written, "the window's blocks to be written", team.size, control_timeout());
  else
    world()->wait_as_server(written);
  MPI_Win_sync(w.win);
  if (rank == 0) {
    std::uint64_t total = 0;
    for (unsigned r = 0; r < team.size; ++r) {
      MPI_Aint bytes = 0;
      int unit = 0;
      void* segment = nullptr;
      MPI_Win_shared_query(w.win, static_cast<int>(r), &bytes, &unit, &segment);
      const auto n = static_cast<std::size_t>(bytes) / sizeof(std::uint64_t);
      if (n > 0) total += sum_contiguous(static_cast<const std::uint64_t*>(segment), 0, n);
    }
    if (total != expected_sum(items))
      throw std::runtime_error("the shared window reads " + std::to_string(total) +
                               " through rank 0, expected " + std::to_string(expected_sum(items)));
  }
  return w;
}

std::uint64_t sum_own_segment(const SharedWindow& window, unsigned threads) {
  return on_threads(0, window.count, 1, threads,
                    [&window](std::size_t begin, std::size_t end, std::size_t) {
                      return sum_contiguous(window.mine, begin, end);
                    });
}

void close_shared_window(SharedWindow& window) {
  if (window.win == MPI_WIN_NULL) return;
  MPI_Win_unlock_all(window.win);
  MPI_Win_free(&window.win);
  window = SharedWindow{};
}

void hand_out_pieces(World& w, const Team& team, std::size_t items, std::uint64_t grain,
                     double began) {
  std::uint64_t next = 0;
  unsigned told_none_left = 0;
  while (told_none_left + 1 < team.size) {
    int want = 0;
    MPI_Status status;
    MPI_Request request;
    if (MPI_Irecv(&want, 1, MPI_INT, MPI_ANY_SOURCE, request_tag, team.comm, &request) !=
        MPI_SUCCESS)
      w.lose("cannot wait for a rank to ask for a piece: MPI failed");
    w.wait(request, "a rank to ask for a piece", team.size, job_timeout(), &status, began);
    const std::uint64_t piece = next < items ? next : items;
    if (next >= items) ++told_none_left;
    next += grain;
    MPI_Request reply;
    if (MPI_Isend(&piece, 1, MPI_UINT64_T, status.MPI_SOURCE, reply_tag, team.comm, &reply) !=
        MPI_SUCCESS)
      w.lose("cannot hand a piece out: MPI failed");
    w.wait(reply, "a piece to be handed out", team.size, job_timeout(), nullptr, began);
  }
}

}  // namespace parbench::mpi
