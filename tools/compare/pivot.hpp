#pragma once
// Lays one report out side by side: one column per value of a params key (backend, policy,
// workers, launch, ...), one row per rest of the params.
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

struct PivotTable {
  std::string report;
  std::string dimension;
  Metric metric;
  std::vector<std::string> columns;  // values of the dimension, in order of appearance
  std::vector<PivotRow> rows;
  std::size_t summary_rows = 0;                // rows with a positive value in every column
  std::vector<std::optional<double>> geomean;  // per column, over those rows
  std::vector<std::string> notes;
};

// The params that may be dropped from the row with the dimension, because their values are a
// backend's own choice: its launch modes and the policies it splits work with.
std::vector<std::string> companions(const std::string& dimension);

// Runs without params or without the dimension are left out (a note counts them). With
// dimension backend, a run's launch and (where it says how its backend splits work,
// Registry::splits_work) policy leave the row; where several runs fall in one cell the best is
// shown. A policy that names what is measured (the launch kernel's start, dispatch, ...) stays in
// the row, so a cell only holds runs that measure the same thing. The run of the reference
// backend (one worker; the report's registry says which backend that is) appears in every
// workers row of its kernel and size.
PivotTable pivot(const std::string& report_label, const std::vector<Group>& groups,
                 const std::string& dimension, const Metric& metric);

}  // namespace parbench::compare
