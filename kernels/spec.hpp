#pragma once
// A kernel's work described in a few values, so that it can be recorded in a report or sent to
// a worker that shares no memory with the harness (another process or host): whoever holds the
// spec makes the same Work from it.
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "kernels/work.hpp"
#include "platform/mapping.hpp"

namespace parbench {

struct KernelSpec {
  std::string kernel;    // "sum", "sleep", "spin" or "count" (the empty job)
  std::size_t size = 0;  // sum: elements of the array; count: items
  std::string tasks;     // sleep, spin: a task set as parse_task_set reads it, seed included
  double unit = 0;       // sleep, spin: seconds per unit of duration
  Mapping mapping = Mapping::private_pages;  // sum: how the array is mapped
  bool longest_first = false;                // sleep, spin: items are the tasks longest first (LPT)
};

// The Work a spec describes: a SumWork, TaskWork or CountWork. Throws std::invalid_argument
// for a spec that describes none.
std::unique_ptr<Work> make_work(const KernelSpec& spec);

nlohmann::json to_json(const KernelSpec& spec);
// Throws std::invalid_argument naming the field that is missing or wrong.
KernelSpec spec_from_json(const nlohmann::json& json);

}  // namespace parbench
