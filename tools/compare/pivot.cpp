#include "tools/compare/pivot.hpp"

#include <algorithm>
#include <map>

#include "stats/statistics.hpp"

namespace parbench::compare {

namespace {

std::string canonical(nlohmann::json params, const std::vector<std::string>& leave_out) {
  for (const auto& key : leave_out) params.erase(key);
  return params.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string string_param(const nlohmann::json& params, const char* key) {
  const auto it = params.find(key);
  return it != params.end() && it->is_string() ? it->get<std::string>() : "";
}

struct Candidate {
  const Group* group;
  std::string variant;
};

// The backend the others are measured against, as the report's registry says (all groups are
// of one report); empty where it names none.
std::string reference_backend(const std::vector<Group>& groups) {
  if (groups.empty() || groups.front().report == nullptr) return "";
  const BackendInfo* reference = groups.front().report->registry.reference();
  return reference ? reference->name : "";
}

bool runs_on(const Group& g, const std::string& backend) {
  return !backend.empty() && string_param(*g.params, "backend") == backend;
}

// Whether the run's policy is how its backend splits work, as its report's registry says: only
// then may runs of different policies share a cell.
bool policy_splits_work(const Group& g) {
  if (g.report == nullptr) return true;
  return g.report->registry.splits_work(string_param(*g.params, "kernel"),
                                        string_param(*g.params, "backend"),
                                        string_param(*g.params, "policy"));
}

// The companions of the dimension that this run's backend chose for itself: they leave the row.
std::vector<std::string> own_choices(const Group& g, const std::string& dimension) {
  std::vector<std::string> keys;
  for (const auto& key : companions(dimension))
    if (g.params->contains(key) && (key != "policy" || policy_splits_work(g))) keys.push_back(key);
  return keys;
}

// What a run's row leaves out: the dimension and the run's own choices.
std::vector<std::string> left_out_of_row(const Group& g, const std::string& dimension) {
  std::vector<std::string> keys = own_choices(g, dimension);
  keys.insert(keys.begin(), dimension);
  return keys;
}

std::string variant_of(const Group& g, const std::string& dimension) {
  std::string v;
  for (const auto& key : own_choices(g, dimension)) {
    if (!v.empty()) v += '/';
    v += param_text((*g.params)[key]);
  }
  return v;
}

PivotCell best_of(const std::vector<Candidate>& candidates, const Metric& metric) {
  PivotCell cell;
  cell.present = !candidates.empty();
  cell.candidates = candidates.size();
  for (const auto& c : candidates) {
    if (c.group->error) {
      if (cell.error_message.empty()) cell.error_message = c.group->error_message;
      continue;
    }
    const auto value = sample(*c.group, metric).value;
    if (!value) continue;
    const bool better = !cell.value || (metric.better == Better::lower ? *value < *cell.value
                                                                       : *value > *cell.value);
    if (better) {
      cell.value = value;
      cell.variant = candidates.size() > 1 ? c.variant : "";
    }
  }
  cell.error = cell.present && !cell.value && !cell.error_message.empty();
  return cell;
}

}  // namespace

std::vector<std::string> companions(const std::string& dimension) {
  if (dimension == "backend") return {"launch", "policy"};
  return {};
}

PivotTable pivot(const std::string& report_label, const std::vector<Group>& groups,
                 const std::string& dimension, const Metric& metric) {
  PivotTable t;
  t.report = report_label;
  t.dimension = dimension;
  t.metric = metric;

  struct Building {
    std::string label, key_without_workers;
    std::map<std::size_t, std::vector<Candidate>> cells;
  };
  std::vector<Building> rows;
  std::map<std::string, std::size_t> row_of;
  std::map<std::string, std::size_t> column_of;
  // The reference backend's runs (one worker), with their column: placed in every workers row.
  std::vector<std::pair<const Group*, std::size_t>> deferred;
  const std::string reference = dimension == "backend" ? reference_backend(groups) : "";
  std::size_t left_out = 0;
  std::size_t measured_in_row = 0;  // runs whose policy stayed in the row: it is what they measure

  // A run's row less its workers: where a reference run goes.
  auto without_workers = [&](const Group& g) {
    std::vector<std::string> leave_workers = left_out_of_row(g, dimension);
    leave_workers.push_back("workers");
    return canonical(*g.params, leave_workers);
  };
  auto row_for = [&](const Group& g) {
    const std::vector<std::string> leave_out = left_out_of_row(g, dimension);
    auto [it, fresh] = row_of.emplace(canonical(*g.params, leave_out), rows.size());
    if (fresh) rows.push_back({params_label(*g.params, leave_out), without_workers(g), {}});
    return it->second;
  };
  auto policy_names_measurement = [&](const Group& g) {
    const auto keys = companions(dimension);
    return std::find(keys.begin(), keys.end(), "policy") != keys.end() &&
           g.params->contains("policy") && !policy_splits_work(g);
  };

  for (const Group& g : groups) {
    if (!g.params || !g.params->contains(dimension)) {
      ++left_out;
      continue;
    }
    if (policy_names_measurement(g)) ++measured_in_row;
    const std::string column = param_value_text(dimension, (*g.params)[dimension]);
    auto [col, fresh] = column_of.emplace(column, t.columns.size());
    if (fresh) t.columns.push_back(column);
    if (runs_on(g, reference)) {
      deferred.emplace_back(&g, col->second);
      continue;
    }
    rows[row_for(g)].cells[col->second].push_back({&g, variant_of(g, dimension)});
  }
  for (const auto& [g, col] : deferred) {
    const std::string key = without_workers(*g);
    bool placed = false;
    for (auto& row : rows)
      if (row.key_without_workers == key) {
        row.cells[col].push_back({g, variant_of(*g, dimension)});
        placed = true;
      }
    if (!placed) rows[row_for(*g)].cells[col].push_back({g, variant_of(*g, dimension)});
  }

  bool several = false;
  std::vector<std::vector<double>> common(t.columns.size());
  for (const auto& b : rows) {
    PivotRow row{b.label, {}};
    bool all_positive = true;
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      const auto it = b.cells.find(c);
      row.cells.push_back(it == b.cells.end() ? PivotCell{} : best_of(it->second, metric));
      several = several || row.cells.back().candidates > 1;
      all_positive = all_positive && row.cells.back().value && *row.cells.back().value > 0;
    }
    if (all_positive)
      for (std::size_t c = 0; c < t.columns.size(); ++c) common[c].push_back(*row.cells[c].value);
    t.rows.push_back(std::move(row));
  }
  t.summary_rows = t.columns.empty() ? 0 : common[0].size();
  for (const auto& values : common) t.geomean.push_back(geometric_mean(values));
  if (left_out > 0)
    t.notes.push_back(std::to_string(left_out) + (left_out == 1 ? " run has" : " runs have") +
                      " no params or no '" + dimension + "': not shown.");
  if (several) {
    std::string what;
    for (const auto& key : companions(dimension)) {
      if (!what.empty()) what += '/';
      what += key;
    }
    std::string note =
        "Where several runs fall in one cell, the best by '" + metric.field + "' is shown";
    if (!what.empty()) note += ", with its " + what + " in brackets";
    t.notes.push_back(note + ".");
  }
  if (measured_in_row > 0)
    t.notes.push_back(
        "A policy that names what a run measures (the launch kernel's start, dispatch, ...) "
        "stays in the row: a cell holds only runs that measure the same thing.");
  if (!deferred.empty())
    t.notes.push_back(reference +
                      " runs one worker: it is shown in every workers row as the reference.");
  return t;
}

}  // namespace parbench::compare
