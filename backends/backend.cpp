#include "backends/backend.hpp"

#include <charconv>

namespace parbench {

const std::vector<BackendInfo>& backends() {
  // Threads and processes share the policies that need nothing but a counter.
  const std::vector<PolicyName> counter_sum = {{"block", Split::block, false},
                                               {"cyclic", Split::cyclic, false},
                                               {"dynamic", Split::dynamic, true}};
  // queue: a shared FIFO of tasks, i.e. a counter over the list; lpt: the same, longest first.
  const std::vector<PolicyName> counter_tasks = {{"block", Split::block, false},
                                                 {"cyclic", Split::cyclic, false},
                                                 {"queue", Split::dynamic, false},
                                                 {"lpt", Split::dynamic, false, true}};
  static const std::vector<BackendInfo> all = {
      {.name = "serial",
       .launches = {"inline"},
       .sum_policies = {{"block", Split::block, false}},
       .task_policies = {{"block", Split::block, false}},
       .make = make_serial_backend,
       .reference = true,
       .reports_children_cpu = false,
       .timed_starts = {}},
      {.name = "thread",
       .launches = {"spawn", "pool"},
       .sum_policies = counter_sum,
       .task_policies = counter_tasks,
       .make = make_thread_backend,
       .reference = false,
       .reports_children_cpu = false,
       .timed_starts = {"pool"}},
      {.name = "fork",
       .launches = {"spawn", "pool"},
       .sum_policies = counter_sum,
       .task_policies = counter_tasks,
       .make = make_fork_backend,
       .reference = false,
       .reports_children_cpu = true,
       .timed_starts = {"pool"}},
#ifdef PARBENCH_HAVE_OPENMP
      {.name = "openmp",
       .launches = {"team"},
       .sum_policies = {{"static", Split::block, false},
                        {"static1", Split::cyclic, false},
                        {"dynamic", Split::dynamic, true},
                        {"guided", Split::guided, true}},
       .task_policies = {{"static", Split::block, false},
                         {"static1", Split::cyclic, false},
                         {"dynamic", Split::dynamic, true},
                         {"guided", Split::guided, true},
                         {"tasks", Split::omp_tasks, true}},
       .make = make_openmp_backend,
       .reference = false,
       .reports_children_cpu = false,
       .timed_starts = {}},
#endif
      {.name = "tbb",
       .launches = {"arena"},
       .sum_policies = {{"auto", Split::tbb_auto, false},
                        {"simple", Split::tbb_simple, true},
                        {"static", Split::tbb_static, false},
                        {"affinity", Split::tbb_affinity, false}},
       .task_policies = {{"auto", Split::tbb_auto, false},
                         {"simple", Split::tbb_simple, true},
                         {"task_group", Split::task_group, true},
                         {"lpt", Split::dynamic, false, true}},
       .make = make_tbb_backend,
       .reference = false,
       .reports_children_cpu = false,
       .timed_starts = {"arena"}},
  };
  return all;
}

const BackendInfo* find_backend(const std::string& name) {
  for (const auto& b : backends())
    if (b.name == name) return &b;
  return nullptr;
}

bool is_reference_backend(const std::string& name) {
  const BackendInfo* b = find_backend(name);
  return b != nullptr && b->reference;
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
  const auto& names = kernel == KernelKind::sum ? backend.sum_policies : backend.task_policies;
  for (const auto& p : names) {
    if (p.name != base) continue;
    if (grain_text.empty())
      return {p.takes_grain ? base + ":" + std::to_string(default_grain) : base, p.split,
              default_grain, p.longest_first};
    if (!p.takes_grain)
      throw std::invalid_argument("policy '" + base + "' of backend " + backend.name +
                                  " takes no grain");
    std::size_t grain = 0;
    auto [end, ec] =
        std::from_chars(grain_text.data(), grain_text.data() + grain_text.size(), grain);
    if (ec != std::errc() || end != grain_text.data() + grain_text.size() || grain == 0)
      throw std::invalid_argument("policy '" + text + "': grain must be a positive integer");
    return {base + ":" + std::to_string(grain), p.split, grain, p.longest_first};
  }
  std::string known;
  for (const auto& p : names) known += (known.empty() ? "" : ", ") + p.name;
  throw std::invalid_argument("backend " + backend.name + " has no policy '" + base +
                              "' (has: " + known + ")");
}

}  // namespace parbench
