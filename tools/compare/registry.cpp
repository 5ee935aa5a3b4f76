#include "tools/compare/registry.hpp"

#include <algorithm>

namespace parbench::compare {

const BackendInfo* Registry::reference() const {
  for (const BackendInfo& backend : backends)
    if (backend.reference) return &backend;
  return nullptr;
}

namespace {

bool lists(const std::vector<PolicyInfo>& policies, const std::string& name) {
  return std::any_of(policies.begin(), policies.end(),
                     [&](const PolicyInfo& p) { return p.name == name; });
}

}  // namespace

bool Registry::splits_work(const std::string& kernel, const std::string& backend,
                           const std::string& policy) const {
  // Older reports have no policy lists; their launch kernel's policy was what it measured.
  if (!from_report) return kernel != "launch";
  const std::string name = policy.substr(0, policy.find(':'));  // "dynamic:65536" is dynamic
  for (const BackendInfo& b : backends)
    if (b.name == backend) return lists(b.sum_policies, name) || lists(b.task_policies, name);
  return false;
}

Registry registry_before_context_backends() {
  BackendInfo serial;
  serial.name = "serial";
  serial.reference = true;
  Registry registry;
  registry.backends.push_back(serial);
  return registry;
}

}  // namespace parbench::compare
