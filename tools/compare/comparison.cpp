#include "tools/compare/comparison.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <optional>
#include <utility>

#include "stats/statistics.hpp"

namespace parbench::compare {

namespace {

double default_threshold(const CompareSettings& s) {
  return s.fail_above.value_or(s.thresholds.fallback.value_or(s.threshold));
}

Cell make_cell(const Group& g, const Metric& metric) {
  Cell c;
  c.present = true;
  if (g.error) {
    c.error = true;
    c.error_message = g.error_message;
    return c;
  }
  Sample s = sample(g, metric);
  c.repetitions = std::move(s.repetitions);
  c.value = s.value;
  if (auto i = median_interval(c.repetitions); i && i->reaches_confidence()) c.interval = i;
  return c;
}

Verdict judge(double worse_percent, double threshold, bool unsure) {
  if (std::fabs(worse_percent) <= threshold) return Verdict::same;
  if (worse_percent > 0) return unsure ? Verdict::worse_unsure : Verdict::worse;
  return unsure ? Verdict::better_unsure : Verdict::better;
}

Change make_change(const Cell& first, const Cell& other, const Metric& metric, double threshold,
                   double alpha) {
  Change c;
  c.threshold = threshold;
  if (!first.present || !other.present) {
    c.verdict = Verdict::missing;
    return c;
  }
  if (first.error || other.error) {
    c.verdict = Verdict::error;
    return c;
  }
  if (!first.value || !other.value) return c;
  const double a = *first.value, b = *other.value;
  if (a != 0) {
    c.ratio = b / a;
    c.percent = (b - a) / std::fabs(a) * 100;
  } else if (b == 0) {
    c.ratio = 1;
    c.percent = 0;
  }
  const std::size_t n1 = first.repetitions.size(), n2 = other.repetitions.size();
  if (n1 >= 2 && n2 >= 2) {
    const UTest t = mann_whitney_u(first.repetitions, other.repetitions);
    c.u = t.u;
    c.p = t.p;
    c.exact = t.exact;
  }
  c.test = c.p.has_value() && smallest_p_value(n1, n2) < alpha ? SignificanceTest::u_test
                                                               : SignificanceTest::too_few;
  if (!c.percent || !std::isfinite(*c.percent)) {
    c.percent.reset();
    return c;
  }
  const double worse = metric.better == Better::lower ? *c.percent : -*c.percent;
  c.verdict = judge(worse, threshold, c.test == SignificanceTest::u_test && *c.p >= alpha);
  c.regression = c.verdict == Verdict::worse;
  return c;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return grouped(n) + " " + (n == 1 ? one : many);
}

// "3,805 runs only in a.json, 12 only in b.json (--show-unmatched lists them)."
std::optional<std::string> unmatched_note(const Unmatched& u,
                                          const std::vector<std::string>& reports) {
  if (u.listed || u.total() == 0) return std::nullopt;
  std::string note;
  for (std::size_t r = 0; r < u.only_in.size(); ++r) {
    if (u.only_in[r] == 0) continue;
    note += note.empty() ? plural(u.only_in[r], "run", "runs") : ", " + grouped(u.only_in[r]);
    note += " only in " + reports[r];
  }
  if (u.not_in_first > 0)
    note +=
        (note.empty() ? plural(u.not_in_first, "run", "runs") : ", " + grouped(u.not_in_first)) +
        " in other reports but not in " + reports[0];
  return note + " (--show-unmatched lists them).";
}

// A run is compared when the first report has it and another report too.
bool compared(const std::vector<Cell>& cells) {
  return cells[0].present &&
         std::any_of(cells.begin() + 1, cells.end(), [](const Cell& c) { return c.present; });
}

void count_unmatched(const std::vector<Cell>& cells, Unmatched& u) {
  const auto present = static_cast<std::size_t>(
      std::count_if(cells.begin(), cells.end(), [](const Cell& c) { return c.present; }));
  if (present != 1) {
    ++u.not_in_first;
    return;
  }
  for (std::size_t r = 0; r < cells.size(); ++r)
    if (cells[r].present) ++u.only_in[r];
}

}  // namespace

double CompareSettings::threshold_for(const std::optional<nlohmann::json>& params,
                                      const std::string& name) const {
  return rule_for(thresholds, params, name).value_or(default_threshold(*this));
}

std::vector<std::string> report_labels(const std::vector<const Report*>& reports) {
  std::vector<std::string> labels;
  std::map<std::string, int> uses;
  for (const Report* r : reports) {
    labels.push_back(std::filesystem::path(r->path).filename().string());
    if (labels.back().empty()) labels.back() = r->path;
    ++uses[labels.back()];
  }
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (uses[labels[i]] > 1) labels[i] = reports[i]->path;
  std::map<std::string, int> seen;
  for (auto& label : labels)
    if (int n = ++seen[label]; n > 1) label += " (" + std::to_string(n) + ")";
  return labels;
}

namespace {

// What a table's notes count, row by row.
struct TableCounts {
  std::size_t without_metric = 0;  // rows with neither a value nor an error anywhere
  std::size_t one_sided = 0;       // rows missing from some report
  std::size_t too_few = 0;         // comparisons without enough repetitions for the U test
  std::size_t few = 0;             // U tests on fewer than kRecommendedRepetitions a side
  std::size_t unsure = 0;          // verdicts past the threshold, not significantly
};

// A row's cells, one per report (empty where the report lacks the run).
TableRow cells_of(const Row& row, const std::vector<std::vector<Group>>& groups,
                  const Metric& metric) {
  TableRow tr;
  for (std::size_t r = 0; r < row.cells.size(); ++r) {
    if (!row.cells[r]) {
      tr.cells.emplace_back();
      continue;
    }
    const Group& g = groups[r][*row.cells[r]];
    if (tr.name.empty()) {
      tr.name = g.run_name;
      tr.label = g.params ? params_label(*g.params, {}) : g.run_name;
      tr.params = g.params;
    }
    tr.cells.push_back(make_cell(g, metric));
  }
  return tr;
}

bool has_value_or_error(const TableRow& tr) {
  return std::any_of(tr.cells.begin(), tr.cells.end(),
                     [](const Cell& c) { return c.value.has_value() || c.error; });
}

bool in_every_report(const Row& row) {
  return std::all_of(row.cells.begin(), row.cells.end(),
                     [](const auto& c) { return c.has_value(); });
}

// Each other report's cell against the first's; counts what the notes say.
void add_changes(TableRow& tr, const Metric& metric, const CompareSettings& settings,
                 TableCounts& counts, std::size_t& regressions) {
  const double threshold = settings.threshold_for(tr.params, tr.name);
  for (std::size_t r = 1; r < tr.cells.size(); ++r) {
    tr.changes.push_back(make_change(tr.cells[0], tr.cells[r], metric, threshold, settings.alpha));
    const Change& c = tr.changes.back();
    if (c.test == SignificanceTest::too_few) ++counts.too_few;
    if (c.test == SignificanceTest::u_test &&
        std::min(tr.cells[0].repetitions.size(), tr.cells[r].repetitions.size()) <
            kRecommendedRepetitions)
      ++counts.few;
    if (c.verdict == Verdict::worse_unsure || c.verdict == Verdict::better_unsure) ++counts.unsure;
    if (c.regression) ++regressions;
  }
}

// The geometric mean of each report over the rows every report has a positive value for, and
// each other report's change against the first's.
Summary summary_of(const std::vector<std::vector<double>>& common, const Metric& metric,
                   const CompareSettings& settings) {
  Summary s;
  s.rows = common[0].size();
  for (const auto& values : common) s.geomean.push_back(geometric_mean(values));
  for (std::size_t r = 1; r < common.size(); ++r) {
    std::optional<double> percent;
    Verdict verdict = Verdict::na;
    if (s.geomean[0] && s.geomean[r]) {
      percent = (*s.geomean[r] / *s.geomean[0] - 1) * 100;
      verdict = judge(metric.better == Better::lower ? *percent : -*percent,
                      default_threshold(settings), false);
    }
    s.percent.push_back(percent);
    s.verdict.push_back(verdict);
  }
  return s;
}

std::vector<std::string> notes_of(const Table& t, const TableCounts& counts, const Metric& metric,
                                  const CompareSettings& settings) {
  std::vector<std::string> notes;
  const std::string alpha = format_value(settings.alpha, make_metric("alpha"));
  if (auto note = unmatched_note(t.unmatched, t.reports)) notes.push_back(std::move(*note));
  if (counts.without_metric > 0)
    notes.push_back(plural(counts.without_metric, "run has", "runs have") + " no '" + metric.field +
                    "' in any report: not shown.");
  if (counts.one_sided > 0)
    notes.push_back(plural(counts.one_sided, "run is", "runs are") +
                    " not in every report: shown as missing where absent.");
  if (counts.few > 0)
    notes.push_back("Warning: " + plural(counts.few, "comparison has", "comparisons have") +
                    " fewer than " + std::to_string(kRecommendedRepetitions) +
                    " repetitions a side: the U test may be unreliable (9 or more recommended).");
  if (counts.too_few > 0)
    notes.push_back(plural(counts.too_few, "comparison has", "comparisons have") +
                    " too few repetitions for the U test (it needs 2 or more a side, and "
                    "enough that p can fall below " +
                    alpha + "): the verdict rests on the threshold alone; p in parentheses.");
  if (counts.unsure > 0)
    notes.push_back("A verdict with '?' changed past its threshold, but not significantly (p >= " +
                    alpha + ").");
  return notes;
}

}  // namespace

Table compare(const std::vector<const Report*>& reports,
              const std::vector<std::vector<Group>>& groups, const std::vector<Row>& rows,
              const Metric& metric, const CompareSettings& settings) {
  Table t;
  t.metric = metric;
  t.reports = report_labels(reports);
  const std::size_t n = reports.size();
  t.unmatched.only_in.assign(n, 0);
  t.unmatched.listed = settings.show_unmatched;
  TableCounts counts;
  std::vector<std::vector<double>> common(n);
  for (const Row& row : rows) {
    TableRow tr = cells_of(row, groups, metric);
    if (!has_value_or_error(tr)) {
      ++counts.without_metric;
      continue;
    }
    if (!compared(tr.cells)) {
      count_unmatched(tr.cells, t.unmatched);
      if (!settings.show_unmatched) continue;
    }
    if (!in_every_report(row)) ++counts.one_sided;
    add_changes(tr, metric, settings, counts, t.regressions);
    const bool all_positive = std::all_of(tr.cells.begin(), tr.cells.end(),
                                          [](const Cell& c) { return c.value && *c.value > 0; });
    if (all_positive)
      for (std::size_t r = 0; r < n; ++r) common[r].push_back(*tr.cells[r].value);
    t.rows.push_back(std::move(tr));
  }
  t.summary = summary_of(common, metric, settings);
  t.notes = notes_of(t, counts, metric, settings);
  return t;
}

std::string verdict_text(Verdict verdict, const Metric& metric) {
  const bool time = metric.seconds;
  switch (verdict) {
    case Verdict::same:
      return "same";
    case Verdict::better:
      return time ? "faster" : "better";
    case Verdict::worse:
      return time ? "slower" : "worse";
    case Verdict::better_unsure:
      return time ? "faster?" : "better?";
    case Verdict::worse_unsure:
      return time ? "slower?" : "worse?";
    case Verdict::error:
      return "error";
    case Verdict::missing:
      return "missing";
    case Verdict::na:
      break;
  }
  return "n/a";
}

std::size_t Unmatched::total() const {
  return std::accumulate(only_in.begin(), only_in.end(), not_in_first);
}

std::optional<double> Cell::interval_percent() const {
  if (!interval || !value || *value == 0) return std::nullopt;
  return 100 * std::max(*value - interval->low, interval->high - *value) / std::fabs(*value);
}

}  // namespace parbench::compare
