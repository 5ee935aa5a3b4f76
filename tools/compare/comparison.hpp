#pragma once
// Compares reports run by run: per report its median, against the first report the change,
// the U test over the repetitions, and a verdict against a threshold.
#include <optional>
#include <string>
#include <vector>

#include "stats/statistics.hpp"
#include "tools/compare/matching.hpp"
#include "tools/compare/metrics.hpp"
#include "tools/compare/patterns.hpp"

namespace parbench::compare {

// Google Benchmark's compare.py: fewer than 9 repetitions makes the U test unreliable.
inline constexpr std::size_t kRecommendedRepetitions = 9;

struct CompareSettings {
  double threshold = 5;              // percent: a smaller change is "same"
  double alpha = 0.05;               // significance level of the U test
  std::optional<double> fail_above;  // percent: a significant worse change past it fails
  Thresholds thresholds;             // per-run thresholds (first matching rule wins)
  bool show_unmatched = false;       // list runs that nothing is compared with, not just count
  // The threshold for a run: its rule in `thresholds`, else fail_above, else the thresholds
  // file's default, else `threshold`.
  double threshold_for(const std::optional<nlohmann::json>& params, const std::string& name) const;
};

struct Cell {
  bool present = false;  // the report has this run
  bool error = false;    // an entry of the run has an error: its numbers are not used
  std::string error_message;
  std::vector<double> repetitions;
  std::optional<double> value;  // median of the repetitions, or the median aggregate
  // The 95% interval of the median (order statistics), where the repetitions are enough for it.
  std::optional<MedianInterval> interval;
  // How far the interval reaches from the median, the farther side, in percent of it.
  std::optional<double> interval_percent() const;
};

enum class SignificanceTest {
  none,     // no numbers to test (missing, error, no value)
  u_test,   // both sides have enough repetitions for the U test to reach significance
  too_few,  // fewer than 2 repetitions on a side, or so few that p can never reach alpha
};

enum class Verdict { same, better, worse, better_unsure, worse_unsure, error, missing, na };

struct Change {
  std::optional<double> ratio;    // other / first
  std::optional<double> percent;  // (other - first) / |first| * 100
  SignificanceTest test = SignificanceTest::none;
  std::optional<double> u, p;  // the U test, when both sides have repetitions
  bool exact = false;          // p from U's exact distribution (else the normal approximation)
  double threshold = 0;        // percent used for the verdict
  Verdict verdict = Verdict::na;
  bool regression = false;  // worse past the threshold, significantly or with too few to test
};

struct TableRow {
  std::string label;  // params as "sum thread pool block workers:2 size:1M", else the run name
  std::string name;   // the run name in the first report that has the run
  std::optional<nlohmann::json> params;
  std::vector<Cell> cells;      // per report
  std::vector<Change> changes;  // per report after the first, against the first
};

struct Summary {                               // the geometric-mean row
  std::size_t rows = 0;                        // runs with a positive value in every report
  std::vector<std::optional<double>> geomean;  // per report
  std::vector<std::optional<double>> percent;  // per report after the first
  std::vector<Verdict> verdict;                // per report after the first, threshold only
};

// Runs that nothing is compared with: in one report alone, or not in the first. They are rows
// of the table only with show_unmatched; else the table counts them.
struct Unmatched {
  std::vector<std::size_t> only_in;  // per report: runs in that report and no other
  std::size_t not_in_first = 0;      // runs in several reports, but not in the first
  bool listed = false;               // they are rows of the table
  std::size_t total() const;
};

struct Table {
  Metric metric;
  std::vector<std::string> reports;  // labels, unique
  std::vector<TableRow> rows;
  Summary summary;
  Unmatched unmatched;
  std::vector<std::string> notes;
  std::size_t regressions = 0;
};

// Labels for the reports: file names, or whole paths where names repeat.
std::vector<std::string> report_labels(const std::vector<const Report*>& reports);

Table compare(const std::vector<const Report*>& reports,
              const std::vector<std::vector<Group>>& groups, const std::vector<Row>& rows,
              const Metric& metric, const CompareSettings& settings);

// "faster", "slower?", "same", "better", "error", "missing", "n/a".
std::string verdict_text(Verdict verdict, const Metric& metric);

}  // namespace parbench::compare
