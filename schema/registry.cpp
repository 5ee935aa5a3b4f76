#include "schema/registry.hpp"

#include <algorithm>

#include "schema/read.hpp"

namespace parbench::schema {

namespace {

using nlohmann::json;

bool lists(const std::vector<ReportedPolicy>& policies, const std::string& name) {
  return std::any_of(policies.begin(), policies.end(),
                     [&](const ReportedPolicy& p) { return p.name == name; });
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string without_grain(const std::string& policy) {
  return policy.substr(0, policy.find(':'));  // "dynamic:65536" is dynamic
}

std::string registry_place(std::size_t index) {
  return "context.backends[" + std::to_string(index) + "]";
}

std::string wrong_field(const std::string& place, const char* key, const json& value,
                        const char* wanted) {
  return "'" + place + "." + key + "' is " + type_name(value) + ", not " + wanted;
}

bool flag_of(const json& object, const char* key, const std::string& place) {
  const auto it = object.find(key);
  if (it == object.end()) return false;
  if (!it->is_boolean()) throw InputError(wrong_field(place, key, *it, "true or false"));
  return it->get<bool>();
}

std::string name_of(const json& object, const std::string& place) {
  const auto it = object.find("name");
  if (it == object.end()) throw InputError("'" + place + "' has no 'name'");
  if (!it->is_string() || it->get<std::string>().empty())
    throw InputError(wrong_field(place, "name", *it, "a non-empty string"));
  return it->get<std::string>();
}

std::vector<std::string> names_of(const json& object, const char* key, const std::string& place) {
  const auto it = object.find(key);
  if (it == object.end()) return {};
  const bool strings = it->is_array() && std::all_of(it->begin(), it->end(),
                                                     [](const json& n) { return n.is_string(); });
  if (!strings) throw InputError(wrong_field(place, key, *it, "an array of strings"));
  return it->get<std::vector<std::string>>();
}

ReportedPolicy policy_of(const json& item, const std::string& place) {
  if (!item.is_object())
    throw InputError("'" + place + "' is " + type_name(item) + ", not an object");
  ReportedPolicy policy;
  policy.name = name_of(item, place);
  if (const auto split = item.find("split"); split != item.end()) {
    if (!split->is_string()) throw InputError(wrong_field(place, "split", *split, "a string"));
    policy.split = split->get<std::string>();
  }
  policy.takes_grain = flag_of(item, "takes_grain", place);
  policy.longest_first = flag_of(item, "longest_first", place);
  return policy;
}

std::vector<ReportedPolicy> policies_of(const json& backend, const char* key,
                                        const std::string& place) {
  const auto it = backend.find(key);
  if (it == backend.end()) return {};
  if (!it->is_array()) throw InputError(wrong_field(place, key, *it, "an array of policies"));
  std::vector<ReportedPolicy> policies;
  for (std::size_t i = 0; i < it->size(); ++i)
    policies.push_back(policy_of((*it)[i], place + "." + key + "[" + std::to_string(i) + "]"));
  return policies;
}

ReportedBackend backend_of(const json& item, std::size_t index) {
  const std::string place = registry_place(index);
  if (!item.is_object())
    throw InputError("'" + place + "' is " + type_name(item) + ", not an object");
  ReportedBackend backend;
  backend.name = name_of(item, place);
  backend.reference = flag_of(item, "reference", place);
  backend.launches = names_of(item, "launches", place);
  backend.reports_children_cpu = flag_of(item, "reports_children_cpu", place);
  backend.timed_starts = names_of(item, "timed_starts", place);
  backend.workers_per_job = names_of(item, "workers_per_job", place);
  backend.sum_policies = policies_of(item, "sum_policies", place);
  backend.task_policies = policies_of(item, "task_policies", place);
  return backend;
}

// A name twice or two references would leave "the reference" ambiguous: refused, not guessed.
void check_registry(const ReportedBackends& registry) {
  std::vector<std::string> names, references;
  for (const ReportedBackend& backend : registry.backends) {
    if (std::find(names.begin(), names.end(), backend.name) != names.end())
      throw InputError("'context.backends' names the backend '" + printable(backend.name) +
                       "' twice");
    names.push_back(backend.name);
    if (backend.reference) references.push_back(printable(backend.name));
  }
  if (references.size() > 1)
    throw InputError("'context.backends' marks " + std::to_string(references.size()) +
                     " backends as the reference ('" + references[0] + "', '" + references[1] +
                     "'): a report has one");
}

}  // namespace

const ReportedBackend* ReportedBackends::reference() const {
  for (const ReportedBackend& backend : backends)
    if (backend.reference) return &backend;
  return nullptr;
}

const ReportedBackend* ReportedBackends::find(const std::string& backend) const {
  for (const ReportedBackend& b : backends)
    if (b.name == backend) return &b;
  return nullptr;
}

const ReportedPolicy* ReportedBackends::policy(const std::string& kernel,
                                               const std::string& backend,
                                               const std::string& policy) const {
  const ReportedBackend* b = find(backend);
  if (b == nullptr) return nullptr;
  const auto& policies = kernel == "sum" ? b->sum_policies : b->task_policies;
  const std::string name = without_grain(policy);
  for (const ReportedPolicy& p : policies)
    if (p.name == name) return &p;
  return nullptr;
}

bool ReportedBackends::workers_per_job(const std::string& backend,
                                       const std::string& launch) const {
  const ReportedBackend* b = find(backend);
  return b != nullptr && has(b->workers_per_job, launch);
}

bool ReportedBackends::splits_work(const std::string& kernel, const std::string& backend,
                                   const std::string& policy) const {
  // Older reports have no policy lists; their launch kernel's policy was what it measured.
  if (!from_report) return kernel != "launch";
  const ReportedBackend* b = find(backend);
  const std::string name = without_grain(policy);
  return b != nullptr && (lists(b->sum_policies, name) || lists(b->task_policies, name));
}

ReportedBackends read_registry(const json& context) {
  const auto it = context.find("backends");
  if (it == context.end()) return registry_before_context_backends();
  if (!it->is_array())
    throw InputError("'context.backends' is " + type_name(*it) + ", not an array of backends");
  ReportedBackends registry;
  registry.from_report = true;
  for (std::size_t i = 0; i < it->size(); ++i) registry.backends.push_back(backend_of((*it)[i], i));
  check_registry(registry);
  return registry;
}

ReportedBackends registry_before_context_backends() {
  ReportedBackend serial;
  serial.name = "serial";
  serial.reference = true;
  ReportedBackends registry;
  registry.backends.push_back(serial);
  return registry;
}

}  // namespace parbench::schema
