#include "kernels/spec.hpp"

#include <numeric>
#include <stdexcept>

#include "kernels/count.hpp"
#include "kernels/schedule.hpp"
#include "kernels/sum.hpp"
#include "kernels/tasks.hpp"

namespace parbench {
namespace {

Mapping mapping_named(const std::string& name) {
  for (Mapping m : {Mapping::private_pages, Mapping::private_hugepages, Mapping::shared})
    if (name == to_string(m)) return m;
  throw std::invalid_argument("kernel spec: unknown mapping '" + name + "'");
}

template <typename T>
T field(const nlohmann::json& json, const char* key) {
  const auto it = json.find(key);
  if (it == json.end()) throw std::invalid_argument(std::string("kernel spec: no '") + key + "'");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(std::string("kernel spec: '") + key + "' has the wrong type");
  }
}

}  // namespace

std::unique_ptr<Work> make_work(const KernelSpec& spec) {
  if (spec.kernel == "sum") return std::make_unique<SumWork>(spec.size, spec.mapping);
  if (spec.kernel == "count") return std::make_unique<CountWork>(spec.size);
  if (spec.kernel == "sleep" || spec.kernel == "spin") return std::make_unique<TaskWork>(spec);
  throw std::invalid_argument("kernel spec: unknown kernel '" + spec.kernel + "'");
}

nlohmann::json to_json(const KernelSpec& spec) {
  nlohmann::json json = {{"kernel", spec.kernel}};
  if (spec.kernel == "sum" || spec.kernel == "count") json["size"] = spec.size;
  if (spec.kernel == "sum") json["mapping"] = to_string(spec.mapping);
  if (spec.kernel == "sleep" || spec.kernel == "spin") {
    json["tasks"] = spec.tasks;
    json["unit"] = spec.unit;
    json["longest_first"] = spec.longest_first;
  }
  return json;
}

KernelSpec spec_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw std::invalid_argument("kernel spec: not an object");
  KernelSpec spec;
  spec.kernel = field<std::string>(json, "kernel");
  if (spec.kernel == "sum" || spec.kernel == "count") spec.size = field<std::size_t>(json, "size");
  if (spec.kernel == "sum") spec.mapping = mapping_named(field<std::string>(json, "mapping"));
  if (spec.kernel == "sleep" || spec.kernel == "spin") {
    spec.tasks = field<std::string>(json, "tasks");
    spec.unit = field<double>(json, "unit");
    spec.longest_first = field<bool>(json, "longest_first");
  }
  return spec;
}

}  // namespace parbench
