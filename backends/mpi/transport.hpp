#pragma once
// Which transport Open MPI uses between the ranks, for the report: its figures of MPI mean
// little without it (shared memory or TCP, a one-sided component or none), and Open MPI chooses
// it at run time, from its own settings and what the hosts offer.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace parbench::mpi {

// As far as Open MPI says, from the components this process loaded and its MCA settings:
// `ranks` is every rank's description (for the hosts), `no_one_sided` why some team has no
// one-sided counter (none when every team has one).
nlohmann::json describe_transport(const nlohmann::json& ranks,
                                  const std::optional<std::string>& no_one_sided);

}  // namespace parbench::mpi
