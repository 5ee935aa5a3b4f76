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
  const auto it = g.params->find("backend");
  return !backend.empty() && it != g.params->end() && it->is_string() && *it == backend;
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
  std::vector<std::string> leave_out = companions(dimension);
  leave_out.insert(leave_out.begin(), dimension);
  std::vector<std::string> leave_workers = leave_out;
  leave_workers.push_back("workers");

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

  auto variant_of = [&](const Group& g) {
    std::string v;
    for (const auto& key : companions(dimension))
      if (const auto it = g.params->find(key); it != g.params->end()) {
        if (!v.empty()) v += '/';
        v += param_text(*it);
      }
    return v;
  };
  auto row_for = [&](const Group& g) {
    const std::string key = canonical(*g.params, leave_out);
    auto [it, fresh] = row_of.emplace(key, rows.size());
    if (fresh)
      rows.push_back({params_label(*g.params, leave_out), canonical(*g.params, leave_workers), {}});
    return it->second;
  };

  for (const Group& g : groups) {
    if (!g.params || !g.params->contains(dimension)) {
      ++left_out;
      continue;
    }
    const std::string column = param_value_text(dimension, (*g.params)[dimension]);
    auto [col, fresh] = column_of.emplace(column, t.columns.size());
    if (fresh) t.columns.push_back(column);
    if (runs_on(g, reference)) {
      deferred.emplace_back(&g, col->second);
      continue;
    }
    rows[row_for(g)].cells[col->second].push_back({&g, variant_of(g)});
  }
  for (const auto& [g, col] : deferred) {
    const std::string key = canonical(*g->params, leave_workers);
    bool placed = false;
    for (auto& row : rows)
      if (row.key_without_workers == key) {
        row.cells[col].push_back({g, variant_of(*g)});
        placed = true;
      }
    if (!placed) rows[row_for(*g)].cells[col].push_back({g, variant_of(*g)});
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
  if (!deferred.empty())
    t.notes.push_back(reference +
                      " runs one worker: it is shown in every workers row as the reference.");
  return t;
}

}  // namespace parbench::compare
