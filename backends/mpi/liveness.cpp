#include "backends/mpi/liveness.hpp"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>

#include "backends/backend.hpp"
#include "backends/mpi/mpirun_guard.hpp"
#include "backends/mpi/ranks.hpp"
#include "backends/mpi/tags.hpp"
#include "kernels/tasks.hpp"

namespace parbench::mpi {
namespace {

// How a serving rank watches rank 0, as it tells rank 0 (MPI_Gather).
enum Watch : int { by_pid, by_lifeline, by_nothing };

const char* watch_text(int watch) {
  return watch == by_pid        ? "its pid (same host)"
         : watch == by_lifeline ? "a lifeline (TCP)"
                                : "nothing (no lifeline)";
}

// How long the world's end may take: rank 0 may wait up to control_timeout() for its stop
// order to go out before MPI_Finalize.
constexpr double kLongestFinish = 60;

}  // namespace

std::vector<std::string> Liveness::set_up(const nlohmann::json& ranks) {
  local_pids_.assign(place_.size, 0);
  if (place_.rank == 0) {
    const std::string my_host = ranks.at(0).at("host");
    for (unsigned r = 1; r < place_.size; ++r)
      if (ranks.at(r).at("host") == my_host) local_pids_[r] = ranks.at(r).at("pid");
  }
  learn_rank_zero_pid();
  hold_on_to_rank_zero();
  return gather_watches();
}

// Rank 0's host and pid, to every rank: a rank on the same host sees it die.
void Liveness::learn_rank_zero_pid() {
  std::string host = place_.rank == 0 ? host_name() : std::string(256, '\0');
  host.resize(256, '\0');
  int pid = getpid();
  MPI_Bcast(host.data(), 256, MPI_CHAR, 0, place_.comm);
  MPI_Bcast(&pid, 1, MPI_INT, 0, place_.comm);
  if (place_.rank != 0 && host.substr(0, host.find('\0')) == host_name()) rank0_pid_ = pid;
}

// A rank on another host than rank 0 cannot see rank 0's process end; a lifeline to it can.
// Every rank learns whether any needs one, as rank 0 then listens for them.
void Liveness::hold_on_to_rank_zero() {
  const bool elsewhere = place_.rank != 0 && rank0_pid_ == 0;
  int any_elsewhere = 0;
  const int mine = elsewhere ? 1 : 0;
  MPI_Allreduce(&mine, &any_elsewhere, 1, MPI_INT, MPI_MAX, place_.comm);
  spans_hosts_ = any_elsewhere != 0;
  if (!spans_hosts_) return;
  if (place_.rank == 0) anchor_ = std::make_unique<LifelineAnchor>();
  std::string address = place_.rank == 0 ? anchor_->address() : "";
  int length = static_cast<int>(address.size());
  MPI_Bcast(&length, 1, MPI_INT, 0, place_.comm);
  address.resize(static_cast<std::size_t>(length));
  MPI_Bcast(address.data(), length, MPI_CHAR, 0, place_.comm);
  if (!elsewhere) return;
  rank0_lifeline_ = Lifeline(address);
  if (!rank0_lifeline_.connected())
    std::fprintf(stderr,
                 "parbench: mpi rank %d on %s: no lifeline to rank 0 (nothing answered at "
                 "port and addresses '%s'): if rank 0 dies, this rank stays until mpirun "
                 "ends it\n",
                 place_.rank, host_name().c_str(), address.c_str());
}

// Rank 0 records how each rank watches it; a rank that cannot says so.
std::vector<std::string> Liveness::gather_watches() const {
  const bool elsewhere = place_.rank != 0 && rank0_pid_ == 0;
  const int watch = !elsewhere ? by_pid : rank0_lifeline_.connected() ? by_lifeline : by_nothing;
  std::vector<int> watches(place_.rank == 0 ? place_.size : 0);
  MPI_Gather(&watch, 1, MPI_INT, watches.data(), 1, MPI_INT, 0, place_.comm);
  std::vector<std::string> texts(watches.size());
  for (unsigned r = 1; r < watches.size(); ++r) texts[r] = watch_text(watches[r]);
  return texts;
}

// A serving rank's watch makes no MPI call: it ends this process when rank 0's ended, whatever
// MPI call the rank is blocked in (a one-sided flush, a window's collective) and however its
// waits poll.
void Liveness::watch_rank_zero() {
  if (place_.rank != 0 && (rank0_pid_ != 0 || rank0_lifeline_.connected())) start_watch();
}

void Liveness::finishing() {
  finish_began_ = monotonic_seconds();
  finishing_ = true;
  if (!watcher_.joinable()) start_watch();
}

// The watch; while the world is finalized, every rank's guard instead. Then only time counts:
// rank 0 may end before another rank's MPI_Finalize returns in a good run, and a rank lost
// after the stop order leaves the others in collectives that cannot time out.
void Liveness::start_watch() {
  watcher_ = std::jthread([this](const std::stop_token& stop) {
    std::mutex mutex;
    std::condition_variable_any woken;
    std::unique_lock lock(mutex);
    const auto told_to_stop = [&stop] { return stop.stop_requested(); };
    while (!woken.wait_for(lock, stop, std::chrono::milliseconds(20), told_to_stop)) look_once();
  });
}

void Liveness::look_once() const {
  if (finishing_) {
    if (monotonic_seconds() - finish_began_ < kLongestFinish) return;
    std::fprintf(stderr,
                 "parbench: mpi rank %d: MPI's end did not finish within %.0f s (a rank is "
                 "gone): leaving without it\n",
                 place_.rank, kLongestFinish);
    leave_at_once();
  }
  if (rank_zero_gone()) leave_at_once();
}

bool Liveness::rank_zero_gone() const {
  return process_gone(rank0_pid_) || rank0_lifeline_.broken();
}

void Liveness::leave_at_once() const {
  end_a_job_mpirun_would_not_end();
  std::fflush(nullptr);
  _exit(1);
}

void Liveness::stop_serving() const {
  if (rank_zero_gone()) leave_at_once();
  std::fflush(nullptr);
  _exit(1);
}

// A rank on mpirun's host ends it: rank 0, its report written, after a rank was lost; a serving
// rank when rank 0 is gone.
void Liveness::end_a_job_mpirun_would_not_end() const {
  if (spans_hosts_) end_mpirun(place_.rank);
}

std::optional<std::string> Liveness::dead_rank_on_this_host(unsigned team) const {
  for (unsigned r = 1; r < team && r < place_.size; ++r)
    if (process_gone(local_pids_[r]))
      return "mpi rank " + std::to_string(r) + " (pid " + std::to_string(local_pids_[r]) + ") died";
  return std::nullopt;
}

void Liveness::check_not_lost() const {
  if (lost())
    throw WorkerFailure("an MPI rank was lost earlier in the run (" + lost_ +
                        "): Open MPI 4.1 cannot go on without it");
}

void Liveness::lose(const std::string& why) {
  lost_ = why;
  tell_every_rank_to_leave();
  throw WorkerFailure(why + " (MPI cannot go on without it: every later mpi benchmark fails)");
}

// Waits a while for the words to go out (over TCP they need rank 0's progress), not for ever:
// the lost rank's may never.
void Liveness::tell_every_rank_to_leave() {
  constexpr double kLongestGoodbye = 2;
  static const char leave = 1;  // outlives a send not done when this gives up
  std::vector<MPI_Request> requests;
  for (unsigned r = 1; r < place_.size; ++r) {
    MPI_Request request;
    if (MPI_Isend(&leave, 1, MPI_CHAR, static_cast<int>(r), leave_tag, place_.comm, &request) ==
        MPI_SUCCESS)
      requests.push_back(request);
  }
  Patience patience = in_job_patience(place_.crowded);
  for (auto& request : requests) {
    int done = 0;
    while (patience.waited() < kLongestGoodbye) {
      if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || done) break;
      patience.pause();
    }
    if (!done && request != MPI_REQUEST_NULL) MPI_Request_free(&request);
  }
}

}  // namespace parbench::mpi
