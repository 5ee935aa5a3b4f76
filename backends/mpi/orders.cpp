#include "backends/mpi/orders.hpp"

#include <limits>
#include <vector>

#include "backends/mpi/errors.hpp"
#include "backends/mpi/tags.hpp"
#include "backends/mpi/waiting.hpp"
#include "kernels/tasks.hpp"

namespace parbench::mpi {
namespace {

// Small batches: what is left of one is finished before whichever order comes next, within that
// job's time, so it must stay short; and one order per batch costs a fraction of one collective.
constexpr std::uint64_t kBatch = 64;

}  // namespace

void Orders::send(const Order& order, unsigned team) {
  liveness_.check_not_lost();
  finish_batch();
  std::vector<MPI_Request> requests(team > 0 ? team - 1 : 0);
  for (unsigned r = 1; r < team; ++r)
    if (MPI_Isend(&order, sizeof order, MPI_BYTE, static_cast<int>(r), order_tag, place_.comm,
                  &requests[r - 1]) != MPI_SUCCESS)
      liveness_.lose("cannot send an order to mpi rank " + std::to_string(r));
  for (auto& request : requests) wait(request, "an order to be sent", team, control_timeout());
}

std::uint64_t Orders::collective(OrderKind kind, unsigned team) {
  if (team <= 1) return 1;
  if (batch_left_ == 0 || batch_kind_ != kind || batch_team_ != team) {
    Order order;
    order.kind = kind;
    order.team = static_cast<std::int32_t>(team);
    order.count = kBatch;
    send(order, team);
    batch_kind_ = kind;
    batch_team_ = team;
    batch_left_ = kBatch;
  }
  --batch_left_;
  return run_collective(kind, team);
}

std::uint64_t Orders::run_collective(OrderKind kind, unsigned team) {
  const MPI_Comm comm = teams_.team(team)->comm;
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

void Orders::finish_batch() {
  for (; batch_left_ > 0; --batch_left_) run_collective(batch_kind_, batch_team_);
}

void Orders::wait(MPI_Request& request, const std::string& what, unsigned team, double timeout,
                  MPI_Status* status, double began) {
  Patience patience = in_job_patience(place_.crowded);
  const double since = began < 0 ? monotonic_seconds() : began;
  double next_check = 0.01;
  for (;;) {
    int done = 0;
    if (const int code = MPI_Test(&request, &done, status != nullptr ? status : MPI_STATUS_IGNORE);
        code != MPI_SUCCESS)
      liveness_.lose("MPI error while waiting for " + what + ": " + mpi_error_text(code));
    if (done) return;
    const double waited = patience.waited();
    if (waited > next_check) {
      next_check = waited + 0.01;
      if (const auto dead = liveness_.dead_rank_on_this_host(team)) liveness_.lose(*dead);
      if (monotonic_seconds() - since > timeout)
        liveness_.lose("no answer for " + what + " within " +
                       std::to_string(static_cast<int>(timeout)) + " s" +
                       (began < 0 ? "" : " of the job's start"));
    }
    patience.pause();
  }
}

Order Orders::next() {
  Order order;
  MPI_Request request;
  MPI_Irecv(&order, sizeof order, MPI_BYTE, 0, order_tag, place_.comm, &request);
  wait_as_server(request);
  return order;
}

void Orders::wait_as_server(MPI_Request& request, Waiting waiting) {
  const double no_limit = std::numeric_limits<double>::infinity();
  const bool in_job = waiting == Waiting::within_a_job;
  if (wait_within(request, "rank 0", no_limit, place_.crowded, liveness_.rank_zero(), in_job))
    liveness_.stop_serving();
}

}  // namespace parbench::mpi
