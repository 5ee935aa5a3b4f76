#include "backends/backend.hpp"

#include <charconv>
#include <chrono>

namespace parbench {
namespace {

std::deque<BackendInfo>& registry() {
  static std::deque<BackendInfo> all = [] {
    std::deque<BackendInfo> compiled_in = {serial_backend_info(), thread_backend_info(),
                                           fork_backend_info()};
#ifdef PARBENCH_HAVE_OPENMP
    compiled_in.push_back(openmp_backend_info());
#endif
    compiled_in.push_back(tbb_backend_info());
#ifdef PARBENCH_HAVE_MPI
    compiled_in.push_back(mpi_backend_info());
#endif
    return compiled_in;
  }();
  return all;
}

const std::vector<PolicyName>& policies_of(const BackendInfo& backend, KernelKind kernel) {
  return kernel == KernelKind::sum ? backend.sum_policies : backend.task_policies;
}

}  // namespace

const char* to_string(FirstTouch touch) {
  return touch == FirstTouch::workers ? "workers" : "serial";
}

Preparation Backend::prepare(const Policy& policy, FirstTouch wanted) {
  Preparation done;
  Work& w = work();
  done.by = wanted;
  if (!w.has_data()) return done;
  if (wanted == FirstTouch::workers) done.why = why_workers_cannot_prepare();
  if (done.why) done.by = FirstTouch::serial;
  if (w.made() == Work::Made::not_yet) {
    if (done.by == FirstTouch::workers) {
      if (&policy.backend() != info_) refuse(policy);
      const auto begin = std::chrono::steady_clock::now();
      const std::uint64_t made = run_pass(policy, Pass::prepare);
      if (made != w.items())
        throw WorkerFailure("the prepare pass made " + std::to_string(made) + " of " +
                            std::to_string(w.items()) + " items");
      w.mark_made_by_workers(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
    } else {
      w.prepare_serially();
    }
  }
  // Made already, in start(), before workers were forked: say so as it was.
  done.by = w.made() == Work::Made::by_workers ? FirstTouch::workers : FirstTouch::serial;
  done.seconds = w.made_seconds();
  return done;
}

void Backend::refuse(const Policy& policy) const {
  throw std::invalid_argument("policy '" + policy.name() + "' of backend " + policy.backend().name +
                              " given to backend " +
                              (info_ != nullptr ? info_->name : std::string("(unregistered)")));
}

std::unique_ptr<Backend> make_backend(const BackendInfo& info, const std::string& launch) {
  std::unique_ptr<Backend> backend = info.create(launch);
  backend->info_ = &info;
  return backend;
}

const std::deque<BackendInfo>& backends() {
  return registry();
}

const BackendInfo* find_backend(const std::string& name) {
  for (const auto& b : backends())
    if (b.name == name) return &b;
  return nullptr;
}

void register_backend(BackendInfo info) {
  if (info.name.empty() || info.launches.empty() || !info.create ||
      (info.sum_policies.empty() && info.task_policies.empty()))
    throw std::invalid_argument("backend '" + info.name +
                                "' needs a name, a launch, a policy and a create function");
  if (find_backend(info.name) != nullptr)
    throw std::invalid_argument("a backend named '" + info.name + "' is registered already");
  registry().push_back(std::move(info));
}

const std::vector<AbsentBackend>& absent_backends() {
  static const std::vector<AbsentBackend> all = {
#ifndef PARBENCH_HAVE_MPI
      absent_mpi_backend(),
#endif
  };
  return all;
}

std::vector<const Launcher*> launchers() {
  std::vector<const Launcher*> all;
  for (const auto& b : backends())
    if (b.launcher) all.push_back(&*b.launcher);
  for (const auto& b : absent_backends())
    if (b.launcher) all.push_back(&*b.launcher);
  return all;
}

std::optional<int> serve_if_worker(int argc, char** argv) {
  for (const Launcher* l : launchers())
    if (auto status = l->serve(argc, argv)) return status;
  for (const auto& b : backends())
    if (b.serve)
      if (auto status = b.serve(argc, argv)) return status;
  return std::nullopt;
}

std::optional<std::string> how_to_get_backend(const std::string& name) {
  for (const auto& b : absent_backends())
    if (b.name == name) return "backend " + name + ": " + b.how_to_get;
  return std::nullopt;
}

unsigned most_workers(const BackendInfo& backend) {
  return backend.launcher ? backend.launcher->most_workers() : 0;
}

bool selected_by_default(const BackendInfo& backend) {
  return !backend.launcher || backend.launcher->launched();
}

std::vector<std::string> end_runtime_workers() {
  std::vector<std::string> refused;
  for (const auto& b : backends())
    if (b.end_workers && !b.end_workers()) refused.push_back(b.name);
  return refused;
}

BackendLaunch calibration_backend() {
  for (const auto& b : backends())
    if (!b.calibrates.empty()) return {&b, b.calibrates};
  throw std::logic_error("no backend measures the read bandwidth (BackendInfo::calibrates)");
}

const PolicyName* find_policy(const BackendInfo& backend, KernelKind kernel, Split split) {
  for (const auto& p : policies_of(backend, kernel))
    if (p.split == split) return &p;
  return nullptr;
}

Policy parse_policy(const BackendInfo& backend, KernelKind kernel, const std::string& text,
                    std::size_t default_grain) {
  std::string base = text;
  std::string grain_text;
  if (auto cut = text.find_first_of(":("); cut != std::string::npos) {
    base = text.substr(0, cut);
    grain_text = text.substr(cut + 1);
    if (text[cut] == '(') {
      if (grain_text.empty() || grain_text.back() != ')')
        throw std::invalid_argument("policy '" + text + "': missing ')'");
      grain_text.pop_back();
    }
  }
  const auto& names = policies_of(backend, kernel);
  for (const auto& p : names) {
    if (p.name != base) continue;
    if (grain_text.empty())
      return {backend, p.takes_grain ? base + ":" + std::to_string(default_grain) : base, p,
              default_grain};
    if (!p.takes_grain)
      throw std::invalid_argument("policy '" + base + "' of backend " + backend.name +
                                  " takes no grain");
    std::size_t grain = 0;
    auto [end, ec] =
        std::from_chars(grain_text.data(), grain_text.data() + grain_text.size(), grain);
    if (ec != std::errc() || end != grain_text.data() + grain_text.size() || grain == 0)
      throw std::invalid_argument("policy '" + text + "': grain must be a positive integer");
    return {backend, base + ":" + std::to_string(grain), p, grain};
  }
  std::string known;
  for (const auto& p : names) known += (known.empty() ? "" : ", ") + p.name;
  throw std::invalid_argument("backend " + backend.name + " has no policy '" + base +
                              "' (has: " + known + ")");
}

namespace {

nlohmann::json policies_json(const std::vector<PolicyName>& policies) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : policies)
    out.push_back({{"name", p.name},
                   {"split", to_string(p.split)},
                   {"takes_grain", p.takes_grain},
                   {"longest_first", p.longest_first}});
  return out;
}

}  // namespace

nlohmann::json registry_json() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& b : backends())
    out.push_back({{"name", b.name},
                   {"launches", b.launches},
                   {"reference", b.reference},
                   {"reports_children_cpu", b.reports_children_cpu},
                   {"timed_starts", b.timed_starts},
                   {"workers_per_job", b.workers_per_job},
                   {"sum_policies", policies_json(b.sum_policies)},
                   {"task_policies", policies_json(b.task_policies)}});
  return out;
}

}  // namespace parbench
