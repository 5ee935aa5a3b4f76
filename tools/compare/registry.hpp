#pragma once
// The registry of backends that a report carries in `context.backends` (reports/SCHEMA.md).
// parbench-compare learns what it needs about a backend (which one the others are measured
// against) from there, never from the backend's name.
#include <string>
#include <vector>

namespace parbench::compare {

struct PolicyInfo {
  std::string name;
  std::string split;  // the generic split: block, cyclic, dynamic, ...
  bool takes_grain = false;
  bool longest_first = false;
};

struct BackendInfo {
  std::string name;
  bool reference = false;  // the backend that speedups are against
  std::vector<std::string> launches;
  bool reports_children_cpu = false;
  std::vector<std::string> timed_starts;  // launches whose start is measured on its own
  std::vector<PolicyInfo> sum_policies;
  std::vector<PolicyInfo> task_policies;
};

struct Registry {
  std::vector<BackendInfo> backends;  // in the report's order
  // False for a report older than `context.backends`: `backends` is then the fallback below.
  bool from_report = false;

  // The reference backend, or nullptr where the registry names none.
  const BackendInfo* reference() const;

  // Whether a run's `policy` is one of the ways its backend splits work (a sum or task policy
  // of the backend, any ":grain" aside), which a backend chooses for itself; else it names what
  // the run measures, as the launch kernel's do (start, dispatch, create_join, fork_wait,
  // floor: reports/SCHEMA.md). A backend the registry lacks splits nothing.
  bool splits_work(const std::string& kernel, const std::string& backend,
                   const std::string& policy) const;
};

// Reports written before parbench recorded its registry (the committed reference reports
// reports/*/full.json.gz among them) say nothing about their backends. All of them measured
// speedups against serial, and in all of them every policy split work but the launch kernel's
// (see Registry::splits_work). This is the only place parbench-compare names a backend or a
// kernel.
Registry registry_before_context_backends();

}  // namespace parbench::compare
