#include "backends/mpi/transport.hpp"

#include <mpi.h>

#include <algorithm>
#include <fstream>
#include <vector>

namespace parbench::mpi {
namespace {

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

bool has(const std::vector<std::string>& names, const char* name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> hosts_of(const nlohmann::json& ranks) {
  std::vector<std::string> hosts;
  for (const auto& r : ranks)
    if (std::find(hosts.begin(), hosts.end(), r.value("host", "")) == hosts.end())
      hosts.push_back(r.value("host", ""));
  return hosts;
}

}  // namespace

nlohmann::json describe_transport(const nlohmann::json& ranks,
                                  const std::optional<std::string>& no_one_sided) {
  const std::vector<std::string> hosts = hosts_of(ranks);
  const auto pml = loaded_components("pml");
  const auto btl = loaded_components("btl");
  const auto osc = loaded_components("osc");
  const bool ob1 = has(pml, "ob1");
  const bool vader = has(btl, "vader");
  const bool tcp = has(btl, "tcp");
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
  if (no_one_sided) t["one_sided"] = *no_one_sided;
  if (hosts.size() > 1) t["between_hosts"] = ob1 && tcp ? "TCP (btl tcp)" : within;
  return t;
}

}  // namespace parbench::mpi
