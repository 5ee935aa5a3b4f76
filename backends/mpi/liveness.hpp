#pragma once
// Which ranks are still there, and what a rank does when one is not. MPI cannot tell: a rank
// that died leaves the others waiting in calls that never time out. So each side watches the
// other by other means. Rank 0 sees a rank on its host die by its pid, and after a timeout
// counts a rank as lost (lose): it tells every rank to leave, and MPI cannot go on without it.
// A serving rank watches rank 0 by its pid on the same host, by a lifeline (lifeline.hpp) on
// another, from a thread of its own that ends the process whatever MPI call it is blocked in.
// While the world is finalized, the same thread on every rank bounds how long that may take.
#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backends/mpi/lifeline.hpp"
#include "backends/mpi/teams.hpp"
#include "backends/mpi/waiting.hpp"

namespace parbench::mpi {

class Liveness {
 public:
  // `place` is read from set_up on, and must outlive this.
  explicit Liveness(const Place& place) : place_(place) {}
  Liveness(const Liveness&) = delete;
  Liveness& operator=(const Liveness&) = delete;

  // Collective over the world, once the ranks have described themselves (`ranks`, rank 0's
  // gathering): rank 0 keeps the pids of the ranks on its host, each rank on rank 0's host
  // learns rank 0's pid, and each rank elsewhere holds a lifeline to rank 0. Returns, on rank 0,
  // how each rank watches rank 0, by rank (rank 0's ""), for the report; elsewhere nothing.
  std::vector<std::string> set_up(const nlohmann::json& ranks);
  // Some rank runs on another host than rank 0.
  bool spans_hosts() const { return spans_hosts_; }
  // A serving rank that can watch rank 0 starts its watch.
  void watch_rank_zero();
  // The world is being finalized: from now on every rank's watch ends this process if that
  // takes too long (a rank is gone and MPI's end waits for it).
  void finishing();

  // Rank 0: why a rank of [1, team) on this host is gone ("mpi rank r (pid p) died"), if one is.
  std::optional<std::string> dead_rank_on_this_host(unsigned team) const;
  bool lost() const { return !lost_.empty(); }
  // Throws WorkerFailure when a rank was lost earlier: MPI cannot go on without it.
  void check_not_lost() const;
  // Rank 0: a rank is lost for `why`. Tells every rank to leave and throws WorkerFailure.
  [[noreturn]] void lose(const std::string& why);
  // A lost world's end without MPI_Finalize (which would wait for the rank that died): mpirun
  // is ended where Open MPI would not end it (mpirun_guard.hpp).
  void end_a_job_mpirun_would_not_end() const;

  // A serving rank: what it watches of rank 0 while it waits.
  Watched rank_zero() const { return {rank0_pid_, &rank0_lifeline_, place_.comm}; }
  // A serving rank whose wait failed: rank 0 ended without a word (killed, or its run ended
  // early), said to leave, or MPI failed. Nothing is left to serve: the process ends.
  [[noreturn]] void stop_serving() const;

 private:
  void learn_rank_zero_pid();
  void hold_on_to_rank_zero();
  std::vector<std::string> gather_watches() const;
  void start_watch();
  void look_once() const;
  bool rank_zero_gone() const;
  [[noreturn]] void leave_at_once() const;
  void tell_every_rank_to_leave();

  const Place& place_;
  std::vector<int> local_pids_;  // rank 0: pid of each rank on this host, else 0
  int rank0_pid_ = 0;            // a serving rank on rank 0's host: rank 0's pid, else 0
  // Rank 0, when a rank runs on another host: what those ranks hold a lifeline to. There, a
  // serving rank's lifeline to rank 0 (it cannot see rank 0's pid).
  std::unique_ptr<LifelineAnchor> anchor_;
  bool spans_hosts_ = false;
  Lifeline rank0_lifeline_;
  std::string lost_;
  // The run is over: the world is being finalized, since finish_began_ (set first).
  std::atomic<bool> finishing_ = false;
  std::atomic<double> finish_began_ = 0;
  std::jthread watcher_;  // start_watch's; last, so it ends first
};

}  // namespace parbench::mpi
