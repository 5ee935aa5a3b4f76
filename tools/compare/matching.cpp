#include "tools/compare/matching.hpp"

#include "schema/names.hpp"
#include "stats/statistics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>

namespace parbench::compare {

namespace {

std::string canonical(const nlohmann::json& params) {
  return params.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::vector<Group> group_entries(const Report& report, std::vector<std::string>& notes) {
  std::vector<Group> groups;
  std::map<std::string, std::size_t> by_key;  // params key + name, or name
  std::map<std::string, std::set<std::string>> names_of_params;
  for (const auto& e : report.entries)
    if (e.params) names_of_params[canonical(*e.params)].insert(e.run_name);
  std::size_t ambiguous = 0;
  for (const auto& [key, names] : names_of_params)
    if (names.size() > 1) ambiguous += names.size();
  if (ambiguous > 0)
    notes.push_back(report.path + ": " + std::to_string(ambiguous) +
                    " runs share their params with a run of another name; they are told apart "
                    "by name");
  for (const auto& e : report.entries) {
    const std::string params_key = e.params ? canonical(*e.params) : "";
    const std::string key = params_key + "\n" + e.run_name;
    auto [it, fresh] = by_key.emplace(key, groups.size());
    if (fresh) {
      Group g;
      g.report = &report;
      g.run_name = e.run_name;
      g.params = e.params;
      g.params_key = params_key;
      groups.push_back(std::move(g));
    }
    Group& g = groups[it->second];
    if (e.error) {
      if (!g.error) g.error_message = e.error_message;
      g.error = true;
    }
    if (!e.aggregate)
      g.iterations.push_back(&e);
    else if (e.aggregate_name == "median" && !g.median)
      g.median = &e;
  }
  return groups;
}

std::vector<Group> select(std::vector<Group> groups, const std::vector<Pattern>& patterns) {
  if (patterns.empty()) return groups;
  std::vector<Group> kept;
  for (auto& g : groups)
    if (std::any_of(patterns.begin(), patterns.end(),
                    [&](const Pattern& p) { return matches(p, g.params, g.run_name); }))
      kept.push_back(std::move(g));
  return kept;
}

Sample sample(const Group& group, const Metric& metric) {
  Sample s;
  for (const Entry* e : group.iterations)
    if (const auto v = metric_value(*e, metric, *group.report)) s.repetitions.push_back(*v);
  s.value = median(s.repetitions);
  if (!s.value && group.median) s.value = metric_value(*group.median, metric, *group.report);
  return s;
}

std::vector<Row> match(const std::vector<std::vector<Group>>& groups) {
  std::vector<Row> rows;
  // Open rows (lacking report r) by params key and by name; a run takes the first open one.
  std::multimap<std::string, std::size_t> by_params, by_name;
  for (std::size_t r = 0; r < groups.size(); ++r) {
    for (std::size_t i = 0; i < groups[r].size(); ++i) {
      const Group& g = groups[r][i];
      std::optional<std::size_t> found;
      auto take = [&](std::multimap<std::string, std::size_t>& index, const std::string& key,
                      bool want_params) {
        auto [first, last] = index.equal_range(key);
        for (auto it = first; it != last && !found; ++it) {
          Row& row = rows[it->second];
          if (row.cells[r]) continue;
          // The row's first run decides how it is matched: by params if it has them.
          const Group& head = [&]() -> const Group& {
            for (std::size_t k = 0; k < row.cells.size(); ++k)
              if (row.cells[k]) return groups[k][*row.cells[k]];
            return g;
          }();
          if (want_params || !head.params || !g.params) found = it->second;
        }
      };
      if (g.params) take(by_params, g.params_key + "\n" + g.run_name, true);
      if (g.params && !found) take(by_params, g.params_key, true);
      if (!found) take(by_name, g.run_name, false);
      if (!found) {
        found = rows.size();
        rows.push_back(Row{std::vector<std::optional<std::size_t>>(groups.size())});
        if (g.params) {
          by_params.emplace(g.params_key, *found);
          by_params.emplace(g.params_key + "\n" + g.run_name, *found);
        }
        by_name.emplace(g.run_name, *found);
      }
      rows[*found].cells[r] = i;
    }
  }
  return rows;
}

std::string count_text(const nlohmann::json& value) {
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() > 0))
    return param_text(value);
  const std::uint64_t n = value.get<std::uint64_t>();
  static constexpr std::array<std::pair<int, char>, 3> kUnits = {{{30, 'G'}, {20, 'M'}, {10, 'K'}}};
  for (const auto& [shift, unit] : kUnits)
    if (n >= (std::uint64_t{1} << shift) && n % (std::uint64_t{1} << shift) == 0)
      return std::to_string(n >> shift) + unit;
  return std::to_string(n);
}

std::string param_value_text(const std::string& key, const nlohmann::json& value) {
  if (key == "size") return count_text(value);
  if (key == "bytes" && value.is_number_integer() && value.get<std::int64_t>() >= 0)
    return schema::exact_bytes_text(value.get<std::uint64_t>());
  if (key == "unit" && value.is_number() && std::isfinite(value.get<double>()))
    return schema::duration_name(value.get<double>());
  return param_text(value);
}

std::string params_label(const nlohmann::json& params, const std::vector<std::string>& leave_out) {
  static const std::vector<std::string> kOrder = {"kernel",  "backend", "launch", "policy",
                                                  "workers", "bytes",   "tasks",  "unit"};
  auto skipped = [&](const std::string& key) {
    if (std::find(leave_out.begin(), leave_out.end(), key) != leave_out.end()) return true;
    if (key == "size" && params.contains("bytes")) return true;
    return key == "task_count" && params.contains("tasks");
  };
  std::string label;
  auto add = [&](const std::string& key, const nlohmann::json& value) {
    if (skipped(key)) return;
    if (!label.empty()) label += ' ';
    const bool bare = key == "kernel" || key == "backend" || key == "launch" || key == "policy";
    label += bare ? param_text(value) : key + ":" + param_value_text(key, value);
  };
  for (const auto& key : kOrder)
    if (const auto it = params.find(key); it != params.end()) add(key, *it);
  for (const auto& [key, value] : params.items())
    if (std::find(kOrder.begin(), kOrder.end(), key) == kOrder.end()) add(key, value);
  return label;
}

}  // namespace parbench::compare
