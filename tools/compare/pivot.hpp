#pragma once
// Lays reports out side by side: one column per value of a params key (backend, policy,
// workers, launch, ...) and report, one row per rest of the params.
#include <optional>
#include <string>
#include <vector>

#include "tools/compare/matching.hpp"
#include "tools/compare/metrics.hpp"

namespace parbench::compare {

struct PivotCell {
  bool present = false;
  bool error = false;
  std::string error_message;
  std::optional<double> value;
  std::string variant;         // for --pivot backend: the launch/policy of the best run shown
  std::size_t candidates = 0;  // runs that fell in this cell; the best by the metric is shown
};

struct PivotRow {
  std::string label;  // the params that are not pivoted
  std::vector<PivotCell> cells;
};

struct PivotColumn {
  std::string value;       // of the dimension, as labels show it
  std::size_t report = 0;  // index into PivotTable::reports
  std::string header;      // the value, and with several reports the report's key: "thread (B)"
};

struct PivotTable {
  std::vector<std::string> reports;      // labels
  std::vector<std::string> report_keys;  // "A", "B", ... for headers, with several reports
  std::string dimension;
  Metric metric;
  std::vector<PivotColumn> columns;  // by value in order of appearance, then by report
  std::vector<PivotRow> rows;
  std::size_t summary_rows = 0;                // rows with a positive value in every column
  std::vector<std::optional<double>> geomean;  // per column, over those rows
  std::vector<std::string> notes;
};

// The params that may be dropped from the row with the dimension, because their values are a
// backend's own choice: its launch modes and the policies it splits work with.
std::vector<std::string> companions(const std::string& dimension);

// One table of every report (`groups` per report, labels in `report_labels`): each value of the
// dimension has a column per report that has it. Runs without params or without the dimension
// are left out (a note counts them). With dimension backend, a run's launch and (where it says
// how its backend splits work, ReportedBackends::splits_work) policy leave the row; where several
// runs fall in one cell the best is shown. A policy that names what is measured (the launch
// kernel's start, dispatch, ...) stays in the row, so a cell only holds runs that measure the same
// thing. The run of the reference backend (one worker; each report's registry says which backend
// that is) appears in every workers row of its kernel and size.
PivotTable pivot(const std::vector<std::string>& report_labels,
                 const std::vector<std::vector<Group>>& groups, const std::string& dimension,
                 const Metric& metric);

// "A", "B", ..., "Z", "AA", "AB", ...: short keys for reports in column headers.
std::string report_key(std::size_t index);

}  // namespace parbench::compare
