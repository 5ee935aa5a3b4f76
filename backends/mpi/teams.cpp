#include "backends/mpi/teams.hpp"

#include <algorithm>

#include "backends/mpi/counter.hpp"
#include "backends/mpi/errors.hpp"
#include "platform/machine.hpp"

namespace parbench::mpi {
namespace {

// Team sizes set up at start: every size up to this, then powers of two and the world's size
// (each is a communicator and a window, made once for the run).
constexpr unsigned kEverySizeUpTo = 16;

bool wanted_size(unsigned s, unsigned world_size) {
  return s <= kEverySizeUpTo || (s & (s - 1)) == 0 || s == world_size;
}

// The ranks on this host (MPI_COMM_TYPE_SHARED), this one included.
unsigned ranks_on_this_host(MPI_Comm comm, int rank) {
  MPI_Comm host;
  throw_if_failed(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &host),
                  "MPI_Comm_split_type");
  int on_host = 1;
  MPI_Comm_size(host, &on_host);
  MPI_Comm_free(&host);
  return static_cast<unsigned>(on_host);
}

}  // namespace

Place start_mpi() {
  int provided = 0;
  throw_if_failed(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided),
                  "MPI_Init_thread");
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  Place place;
  place.rank = rank;
  place.size = static_cast<unsigned>(size);
  // A communicator of parbench's own, whose errors come back as codes: a lost rank must become
  // a benchmark's error, not the end of the process.
  throw_if_failed(MPI_Comm_dup(MPI_COMM_WORLD, &place.comm), "MPI_Comm_dup");
  MPI_Comm_set_errhandler(place.comm, MPI_ERRORS_RETURN);
  place.crowded = ranks_on_this_host(place.comm, rank) > usable_cpus();
  return place;
}

void finish_mpi(Place& place) {
  MPI_Comm_free(&place.comm);
  MPI_Finalize();
}

void Teams::set_up(const Place& place) {
  world_size_ = place.size;
  teams_.resize(place.size + 1);
  for (unsigned s = 1; s <= place.size; ++s) {
    if (!wanted_size(s, place.size)) continue;
    Team& t = teams_[s];
    t.size = s;
    const bool member = static_cast<unsigned>(place.rank) < s;
    // Collective over the world: every rank takes part, members or not.
    throw_if_failed(MPI_Comm_split(place.comm, member ? 0 : MPI_UNDEFINED, place.rank, &t.comm),
                    "MPI_Comm_split");
    if (!member) continue;
    MPI_Comm_set_errhandler(t.comm, MPI_ERRORS_RETURN);
    open_counter(t, place.rank);
  }
}

void Teams::free() {
  for (auto& t : teams_) {
    close_counter(t);
    if (t.comm != MPI_COMM_NULL) MPI_Comm_free(&t.comm);
  }
}

const Team* Teams::team(unsigned size) const {
  if (size == 0 || size >= teams_.size() || teams_[size].comm == MPI_COMM_NULL) return nullptr;
  return &teams_[size];
}

unsigned Teams::team_size_for(unsigned ranks) const {
  for (unsigned s = std::min(ranks, world_size_); s > 1; --s)
    if (teams_[s].size == s) return s;
  return 1;
}

std::optional<std::string> Teams::why_no_counter() const {
  for (unsigned s = 2; s < teams_.size(); ++s)
    if (!teams_[s].no_counter.empty())
      return "none from " + std::to_string(s) + " ranks on: " + teams_[s].no_counter;
  return std::nullopt;
}

}  // namespace parbench::mpi
