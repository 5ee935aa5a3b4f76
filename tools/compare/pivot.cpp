#include "tools/compare/pivot.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

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

// A cell: the value of the dimension (its index in order of appearance), and the report.
using CellKey = std::pair<std::size_t, std::size_t>;

// The backend the others are measured against, as the report's registry says (all groups are
// of one report); empty where it names none.
std::string reference_backend(const std::vector<Group>& groups) {
  if (groups.empty() || groups.front().report == nullptr) return "";
  const ReportedBackend* reference = groups.front().report->registry.reference();
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

// A run's row less its workers: the rows a reference run (one worker) is shown in.
std::string key_without_workers(const Group& g, const std::string& dimension) {
  std::vector<std::string> keys = left_out_of_row(g, dimension);
  keys.push_back("workers");
  return canonical(*g.params, keys);
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

struct BuildingRow {
  std::string label, key_without_workers;
  std::map<CellKey, std::vector<Candidate>> cells;
};

// Rows and cells of every report, before the best of each cell is chosen.
class Builder {
 public:
  explicit Builder(std::string dimension) : dimension_(std::move(dimension)) {}

  void add_report(std::size_t report, const std::vector<Group>& groups) {
    const std::string reference = dimension_ == "backend" ? reference_backend(groups) : "";
    for (const Group& g : groups) {
      if (!g.params || !g.params->contains(dimension_)) {
        ++left_out_;
        continue;
      }
      if (policy_names_measurement(g)) ++measured_in_row_;
      const CellKey cell{value_index(*g.params), report};
      if (runs_on(g, reference)) {
        references_.emplace_back(&g, cell);
        reference_names_.insert(reference);
        continue;
      }
      place(g, rows_[row_for(g)], cell);
    }
  }

  // The reference runs one worker: shown in every workers row of its kernel and size, of any
  // report. After every report is added, so that each sees all the rows.
  void place_references() {
    for (const auto& [g, cell] : references_) {
      const std::string key = key_without_workers(*g, dimension_);
      bool placed = false;
      for (auto& row : rows_)
        if (row.key_without_workers == key) {
          place(*g, row, cell);
          placed = true;
        }
      if (!placed) place(*g, rows_[row_for(*g)], cell);
    }
  }

  PivotTable finish(const std::vector<std::string>& report_labels, const Metric& metric) const;

 private:
  std::size_t value_index(const nlohmann::json& params) {
    const std::string value = param_value_text(dimension_, params[dimension_]);
    const auto [it, fresh] = value_of_.emplace(value, values_.size());
    if (fresh) values_.push_back(value);
    return it->second;
  }

  std::size_t row_for(const Group& g) {
    const std::vector<std::string> leave_out = left_out_of_row(g, dimension_);
    const auto [it, fresh] = row_of_.emplace(canonical(*g.params, leave_out), rows_.size());
    if (fresh)
      rows_.push_back({params_label(*g.params, leave_out), key_without_workers(g, dimension_), {}});
    return it->second;
  }

  void place(const Group& g, BuildingRow& row, const CellKey& cell) const {
    row.cells[cell].push_back({&g, variant_of(g, dimension_)});
  }

  bool policy_names_measurement(const Group& g) const {
    const auto keys = companions(dimension_);
    return std::find(keys.begin(), keys.end(), "policy") != keys.end() &&
           g.params->contains("policy") && !policy_splits_work(g);
  }

  std::vector<PivotColumn> columns(const std::vector<std::string>& report_keys) const;
  std::vector<std::string> notes(const Metric& metric, bool several) const;

  std::string dimension_;
  std::vector<std::string> values_;
  std::map<std::string, std::size_t> value_of_;
  std::vector<BuildingRow> rows_;
  std::map<std::string, std::size_t> row_of_;
  std::size_t left_out_ = 0;
  std::size_t measured_in_row_ = 0;  // runs whose policy stayed in the row: it is what they measure
  std::vector<std::pair<const Group*, CellKey>> references_;
  std::set<std::string> reference_names_;
};

std::vector<PivotColumn> Builder::columns(const std::vector<std::string>& report_keys) const {
  std::set<CellKey> used;
  for (const auto& row : rows_)
    for (const auto& [cell, candidates] : row.cells) used.insert(cell);
  std::vector<PivotColumn> columns;
  for (const auto& [value, report] : used) {
    PivotColumn c{values_[value], report, values_[value]};
    if (report_keys.size() > 1) c.header += " (" + report_keys[report] + ")";
    columns.push_back(std::move(c));
  }
  return columns;
}

std::vector<std::string> Builder::notes(const Metric& metric, bool several) const {
  std::vector<std::string> notes;
  if (left_out_ > 0)
    notes.push_back(std::to_string(left_out_) + (left_out_ == 1 ? " run has" : " runs have") +
                    " no params or no '" + dimension_ + "': not shown.");
  if (several) {
    std::string what;
    for (const auto& key : companions(dimension_)) {
      if (!what.empty()) what += '/';
      what += key;
    }
    std::string note =
        "Where several runs fall in one cell, the best by '" + metric.field + "' is shown";
    if (!what.empty()) note += ", with its " + what + " in brackets";
    notes.push_back(note + ".");
  }
  if (measured_in_row_ > 0)
    notes.push_back(
        "A policy that names what a run measures (the launch kernel's start, dispatch, ...) "
        "stays in the row: a cell holds only runs that measure the same thing.");
  for (const auto& reference : reference_names_)
    notes.push_back(reference +
                    " runs one worker: it is shown in every workers row as the reference.");
  return notes;
}

PivotTable Builder::finish(const std::vector<std::string>& report_labels,
                           const Metric& metric) const {
  PivotTable t;
  t.reports = report_labels;
  if (report_labels.size() > 1)
    for (std::size_t r = 0; r < report_labels.size(); ++r) t.report_keys.push_back(report_key(r));
  t.dimension = dimension_;
  t.metric = metric;
  t.columns = columns(t.report_keys);
  bool several = false;
  std::vector<std::vector<double>> common(t.columns.size());
  for (const auto& b : rows_) {
    PivotRow row{b.label, {}};
    bool all_positive = true;
    for (const auto& column : t.columns) {
      const auto it = b.cells.find({value_of_.at(column.value), column.report});
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
  t.notes = notes(metric, several);
  return t;
}

}  // namespace

std::vector<std::string> companions(const std::string& dimension) {
  if (dimension == "backend") return {"launch", "policy"};
  return {};
}

std::string report_key(std::size_t index) {
  std::string key;
  for (std::size_t n = index + 1; n > 0; n = (n - 1) / 26)
    key.insert(key.begin(), static_cast<char>('A' + (n - 1) % 26));
  return key;
}

PivotTable pivot(const std::vector<std::string>& report_labels,
                 const std::vector<std::vector<Group>>& groups, const std::string& dimension,
                 const Metric& metric) {
  Builder builder(dimension);
  for (std::size_t r = 0; r < groups.size(); ++r) builder.add_report(r, groups[r]);
  builder.place_references();
  return builder.finish(report_labels, metric);
}

}  // namespace parbench::compare
