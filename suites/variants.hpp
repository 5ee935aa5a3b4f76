#pragma once
// What the suites register: every (backend, launch, policy) a config selects for a kernel, how
// their benchmarks are named, and the registrations of each kernel.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "engine/benchmark_list.hpp"
#include "suites/config.hpp"

namespace parbench {

// "sum/thread/pool/dynamic:65536/workers:2/bytes:8KiB": the launch is left out for backends
// that have only one.
std::string benchmark_name(const std::string& kernel, const BackendInfo& backend,
                           const std::string& launch, const std::string& policy,
                           const std::string& tail);

// Every (backend, launch, policy) the config selects for a kernel, in registration order.
struct Variant {
  const BackendInfo* backend;
  std::string launch;
  Policy policy;
};
std::vector<Variant> select_variants(const Config& config, KernelKind kernel,
                                     std::size_t default_grain);

void register_sum_benchmarks(const Config& config, BenchmarkList& benchmarks);
// Frees the sum's array: a process that keeps it makes every later fork() pay for its pages.
void release_sum_data();
void register_launch_benchmarks(const Config& config, BenchmarkList& benchmarks);
void register_task_benchmarks(const Config& config, BenchmarkList& benchmarks);

// What the report says of where a run's workers ran: asked (pin) and obtained (last CPU seen).
nlohmann::json placement_note(Pin pin, const std::vector<int>& cpus_seen);

// Every benchmark the config selects.
void register_benchmarks(const Config& config, BenchmarkList& list);

}  // namespace parbench
