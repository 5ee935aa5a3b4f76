#pragma once
// The registry of backends as a report carries it (`context.backends`, reports/SCHEMA.md): what
// a reader of a report may know about a backend (which one the others are measured against,
// how each policy splits work), learnt from the report, never from the backend's name. The
// live registry of the backends compiled in is backends/backend.hpp's; this is its record.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace parbench::schema {

struct ReportedPolicy {
  std::string name;
  std::string split;  // the generic split: block, cyclic, dynamic, ...
  bool takes_grain = false;
  bool longest_first = false;
};

struct ReportedBackend {
  std::string name;
  bool reference = false;  // the backend that speedups are against
  std::vector<std::string> launches;
  bool reports_children_cpu = false;
  std::vector<std::string> timed_starts;     // launches whose start is measured on its own
  std::vector<std::string> workers_per_job;  // launches that make new workers in every job
  std::vector<ReportedPolicy> sum_policies;
  std::vector<ReportedPolicy> task_policies;
};

struct ReportedBackends {
  std::vector<ReportedBackend> backends;  // in the report's order
  // False for a report older than `context.backends`: `backends` is then the fallback below.
  bool from_report = false;

  // The reference backend, or nullptr where the registry names none.
  const ReportedBackend* reference() const;
  const ReportedBackend* find(const std::string& backend) const;
  // The policy named `policy` (any ":grain" aside) of the backend's sum policies (kernel
  // "sum") or task policies (any other kernel); nullptr where the registry lacks it.
  const ReportedPolicy* policy(const std::string& kernel, const std::string& backend,
                               const std::string& policy) const;
  // Whether the backend's `launch` makes new workers in every job.
  bool workers_per_job(const std::string& backend, const std::string& launch) const;

  // Whether a run's `policy` is one of the ways its backend splits work (a sum or task policy
  // of the backend, any ":grain" aside), which a backend chooses for itself; else it names what
  // the run measures, as the launch kernel's do (start, dispatch, create_join, fork_wait,
  // floor: reports/SCHEMA.md). A backend the registry lacks splits nothing.
  bool splits_work(const std::string& kernel, const std::string& backend,
                   const std::string& policy) const;
};

// The registry of a report's context: `context.backends`, or for a report older than that key
// registry_before_context_backends(). InputError for a bad one: not an array of backends with
// a name each, a field of the wrong type, a name twice, more than one reference. Fields are
// optional but for a backend's name, so that a report of a later parbench that drops one still
// reads.
ReportedBackends read_registry(const nlohmann::json& context);

// Reports written before parbench recorded its registry (the committed reference reports
// reports/*/full.json.gz among them) say nothing about their backends. All of them measured
// speedups against serial, and in all of them every policy split work but the launch kernel's
// (see ReportedBackends::splits_work). This is the only place a reader names a backend or a
// kernel.
ReportedBackends registry_before_context_backends();

}  // namespace parbench::schema
