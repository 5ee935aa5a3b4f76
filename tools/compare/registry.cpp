#include "tools/compare/registry.hpp"

namespace parbench::compare {

const BackendInfo* Registry::reference() const {
  for (const BackendInfo& backend : backends)
    if (backend.reference) return &backend;
  return nullptr;
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
