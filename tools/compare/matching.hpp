#pragma once
// Groups a report's entries into runs (repetitions plus aggregates) and matches runs across
// reports by their params, or by run name where a side has no params.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "schema/report.hpp"
#include "tools/compare/metrics.hpp"
#include "tools/compare/patterns.hpp"

namespace parbench::compare {

// One run of one report: its repetitions and its median aggregate. Points into the report,
// which must outlive it.
struct Group {
  const Report* report = nullptr;
  std::string run_name;
  std::optional<nlohmann::json> params;
  std::string params_key;  // params as canonical JSON (sorted keys), empty without params
  std::vector<const Entry*> iterations;
  const Entry* median = nullptr;  // the "median" aggregate, if any
  bool error = false;             // some entry of the run has error_occurred (or skipped)
  std::string error_message;
};

// Runs in the order they first appear. Two runs with the same params but different names are
// told apart by name, and `notes` says so.
std::vector<Group> group_entries(const Report& report, std::vector<std::string>& notes);

// Only the runs that match one of the patterns (all of them when there are none).
std::vector<Group> select(std::vector<Group> groups, const std::vector<Pattern>& patterns);

// A run's figure: the repetitions' values and their median, else the median aggregate's.
struct Sample {
  std::vector<double> repetitions;
  std::optional<double> value;
};
Sample sample(const Group& group, const Metric& metric);

// One line of a comparison: at most one run per report.
struct Row {
  std::vector<std::optional<std::size_t>> cells;  // per report: index into its groups
};

// Matches runs across reports: the same params when both have params, else the same run
// name. Rows follow the first report's order, then runs that it lacks, in order of appearance.
std::vector<Row> match(const std::vector<std::vector<Group>>& groups);

// "sum workers:2 size:1M": a label from params, leaving out the given keys and the redundant
// ones (bytes beside size, task_count beside tasks).
std::string params_label(const nlohmann::json& params, const std::vector<std::string>& leave_out);

// 1048576 -> "1M", 65536 -> "64K", 1000 -> "1000".
std::string count_text(const nlohmann::json& value);

// A params value as labels and pivot columns show it, as the benchmark names do: `bytes` in a
// binary unit (2GiB), `size` as a count (1M), `unit` (seconds) as a duration (1ms); anything else
// as param_text.
std::string param_value_text(const std::string& key, const nlohmann::json& value);

}  // namespace parbench::compare
