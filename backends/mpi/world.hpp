#pragma once
// The MPI world of a run, shared by the mpi backend's files: every rank mpirun started makes
// one, for the run. It owns the parts that each do one job, and sets them up in the order their
// collectives run on every rank:
//   teams.hpp       MPI's start, parbench's communicator, the teams and their counters
//                   (counter.hpp)
//   ranks.hpp       each rank's description, gathered on rank 0 for the report
//   liveness.hpp    which ranks are still there, and what a rank does when one is not
//                   (lifeline.hpp, mpirun_guard.hpp)
//   clock_sync.hpp  the other ranks' clocks as rank 0 reads them
//   transport.hpp   which transport Open MPI uses between the ranks
//   orders.hpp      what rank 0 tells the others, and how either waits (waiting.hpp)
// What runs on the world lies beside it: deals.hpp, shared_window.hpp, spawn.hpp, server.cpp.
#include <mpi.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backends/mpi/liveness.hpp"
#include "backends/mpi/mpirun_guard.hpp"
#include "backends/mpi/orders.hpp"
#include "backends/mpi/teams.hpp"

namespace parbench::mpi {

class World {
 public:
  // MPI_Init_thread and everything collective that the run needs once: the teams, every rank's
  // description and clock offset. Every rank mpirun started makes one.
  World();
  // Finalizes MPI (rank 0 first tells the others to stop), unless a rank was lost.
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  int rank() const { return place_.rank; }
  unsigned size() const { return place_.size; }
  MPI_Comm comm() const { return place_.comm; }
  // The team of the first `size` ranks; null in a rank outside it or for a size not set up.
  const Team* team(unsigned size) const { return teams_.team(size); }
  // The largest team set up of at most `ranks` ranks (at least 1).
  unsigned team_size_for(unsigned ranks) const { return teams_.team_size_for(ranks); }
  // Whether the first `team` ranks all run on rank 0's host (rank 0 only).
  bool team_on_one_host(unsigned team) const;
  // More ranks on this host than CPUs this process may use: waiting ranks yield and sleep.
  bool crowded() const { return place_.crowded; }
  // Some rank runs on another host than rank 0.
  bool spans_hosts() const { return liveness_.spans_hosts(); }

  // Rank 0: every rank's description, clock offset to rank 0 included.
  const nlohmann::json& ranks() const { return ranks_; }
  // Rank 0: seconds to subtract from rank r's CLOCK_MONOTONIC to read rank 0's.
  double clock_offset(int rank) const { return offsets_[static_cast<std::size_t>(rank)]; }
  // Which transport Open MPI uses between ranks, as far as it says.
  nlohmann::json transport() const;

  // Rank 0's side of the orders (Orders: send, collective, wait).
  void send_order(const Order& order, unsigned team) { orders_.send(order, team); }
  std::uint64_t collective(OrderKind kind, unsigned team) { return orders_.collective(kind, team); }
  void wait(MPI_Request& request, const std::string& what, unsigned team, double timeout,
            MPI_Status* status = nullptr, double began = -1) {
    orders_.wait(request, what, team, timeout, status, began);
  }
  // Whether a rank was lost, and losing one (Liveness).
  void check_not_lost() const { liveness_.check_not_lost(); }
  bool lost() const { return liveness_.lost(); }
  [[noreturn]] void lose(const std::string& why) { liveness_.lose(why); }

  // A serving rank's side of the orders (Orders: next, wait_as_server).
  Order next_order() { return orders_.next(); }
  using Waiting = mpi::Waiting;
  void wait_as_server(MPI_Request& request, Waiting waiting = Waiting::between_jobs) {
    orders_.wait_as_server(request, waiting);
  }

 private:
  void record_watches(const std::vector<std::string>& watches);
  void record_clock_offsets();
  void tell_the_others_to_stop();

  MpirunGuard guard_;
  Place place_;
  Teams teams_;
  nlohmann::json ranks_ = nlohmann::json::array();  // rank 0's; empty elsewhere
  std::vector<double> offsets_;
  // The parts that read place_ (filled first of all) for the whole run.
  Liveness liveness_{place_};
  Orders orders_{place_, teams_, liveness_};
};

// The world of this process; null outside mpirun.
World* world();

}  // namespace parbench::mpi
