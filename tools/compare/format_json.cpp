// The JSON output of parbench-compare: everything the text shows, with the numbers unrounded.
#include <nlohmann/json.hpp>

#include "tools/compare/format.hpp"

namespace parbench::compare {

namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

const char* test_name(SignificanceTest t) {
  switch (t) {
    case SignificanceTest::u_test:
      return "u-test";
    case SignificanceTest::too_few:
      return "too-few-repetitions";
    case SignificanceTest::none:
      break;
  }
  return "none";
}

json metric_json(const Metric& m) {
  return {{"field", m.field},
          {"better", m.better == Better::lower ? "lower" : "higher"},
          {"unit", m.seconds ? json("s") : json(nullptr)}};
}

json cell_json(const Cell& c, const std::string& report) {
  json j = {{"report", report}, {"present", c.present}};
  if (!c.present) return j;
  if (c.error) {
    j["error"] = c.error_message;
    return j;
  }
  j["value"] = optional_number(c.value);
  j["repetitions"] = c.repetitions;
  if (c.interval) j["interval"] = {c.interval->low, c.interval->high};
  return j;
}

json change_json(const Change& c, const Metric& m, const std::string& report) {
  return {{"report", report},
          {"ratio", optional_number(c.ratio)},
          {"change_percent", optional_number(c.percent)},
          {"test", test_name(c.test)},
          {"u", optional_number(c.u)},
          {"p_value", optional_number(c.p)},
          {"p_method", c.p ? json(c.exact ? "exact" : "normal approximation") : json(nullptr)},
          {"threshold_percent", c.threshold},
          {"verdict", verdict_text(c.verdict, m)},
          {"regression", c.regression}};
}

// Per report, as "reports": whether its run finished, and if not, what is known of why.
json report_status_json(const FormatOptions& o) {
  json status = json::array();
  for (std::size_t r = 0; r < o.completeness.size() && r < o.paths.size(); ++r) {
    const Completeness& c = o.completeness[r];
    const std::optional<std::string> note = schema::completeness_note(o.paths[r], c);
    status.push_back({{"report", o.paths[r]},
                      {"complete", c.complete && !c.journal},
                      {"journal", c.journal},
                      {"interrupted", c.interrupted ? json(*c.interrupted) : json(nullptr)},
                      {"not_run", c.not_run ? json(*c.not_run) : json(nullptr)},
                      {"benchmarks_finished", c.journal ? json(c.finished) : json(nullptr)},
                      {"note", note ? json(*note) : json(nullptr)}});
  }
  return status;
}

json common_json(const FormatOptions& o, const std::vector<std::string>& notes) {
  return {{"tool", "parbench-compare"},
          {"reports", o.paths},
          {"report_status", report_status_json(o)},
          {"alpha", o.alpha},
          {"threshold_percent", o.threshold},
          {"thresholds_file", o.thresholds_file.empty() ? json(nullptr) : json(o.thresholds_file)},
          {"failing", o.failing},
          {"notes", notes}};
}

std::string dump(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string comparison_json(const std::vector<Table>& tables, const std::vector<std::string>& notes,
                            const FormatOptions& o) {
  json out = common_json(o, notes);
  std::size_t regressions = 0;
  out["tables"] = json::array();
  for (const auto& t : tables) {
    json rows = json::array();
    for (const auto& row : t.rows) {
      json cells = json::array(), changes = json::array();
      for (std::size_t r = 0; r < row.cells.size(); ++r)
        cells.push_back(cell_json(row.cells[r], t.reports[r]));
      for (std::size_t r = 0; r < row.changes.size(); ++r)
        changes.push_back(change_json(row.changes[r], t.metric, t.reports[r + 1]));
      rows.push_back({{"name", row.name},
                      {"label", row.label},
                      {"params", row.params ? *row.params : json(nullptr)},
                      {"values", cells},
                      {"changes", changes}});
    }
    json percent = json::array(), verdicts = json::array();
    for (std::size_t r = 0; r < t.summary.percent.size(); ++r) {
      percent.push_back(optional_number(t.summary.percent[r]));
      verdicts.push_back(t.summary.percent[r] ? json(verdict_text(t.summary.verdict[r], t.metric))
                                              : json(nullptr));
    }
    json geomean = json::array();
    for (const auto& g : t.summary.geomean) geomean.push_back(optional_number(g));
    json only_in = json::object();
    for (std::size_t r = 0; r < t.unmatched.only_in.size(); ++r)
      only_in[t.reports[r]] = t.unmatched.only_in[r];
    out["tables"].push_back({{"metric", metric_json(t.metric)},
                             {"report_labels", t.reports},
                             {"rows", rows},
                             {"geomean",
                              {{"runs", t.summary.rows},
                               {"values", geomean},
                               {"change_percent", percent},
                               {"verdict", verdicts}}},
                             {"unmatched",
                              {{"only_in", only_in},
                               {"not_in_first", t.unmatched.not_in_first},
                               {"listed", t.unmatched.listed}}},
                             {"notes", t.notes},
                             {"regressions", t.regressions}});
    regressions += t.regressions;
  }
  out["regressions"] = regressions;
  out["exit_status"] = o.failing && regressions > 0 ? 1 : 0;
  return dump(out);
}

std::string pivots_json(const std::vector<PivotTable>& tables,
                        const std::vector<std::string>& notes, const FormatOptions& o) {
  json out = common_json(o, notes);
  out["pivots"] = json::array();
  for (const auto& t : tables) {
    json rows = json::array();
    for (const auto& row : t.rows) {
      json cells = json::object();
      for (std::size_t c = 0; c < row.cells.size(); ++c) {
        const PivotCell& cell = row.cells[c];
        if (!cell.present) continue;
        json j = {{"runs", cell.candidates}};
        if (cell.error)
          j["error"] = cell.error_message;
        else
          j["value"] = optional_number(cell.value);
        if (!cell.variant.empty()) j["variant"] = cell.variant;
        cells[t.columns[c].header] = j;
      }
      rows.push_back({{"name", row.label}, {"cells", cells}});
    }
    json geomean = json::object(), columns = json::array(), column_keys = json::array();
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      geomean[t.columns[c].header] = optional_number(t.geomean[c]);
      columns.push_back(t.columns[c].header);
      column_keys.push_back(
          {{"value", t.columns[c].value}, {"report", t.reports[t.columns[c].report]}});
    }
    out["pivots"].push_back({{"reports", t.reports},
                             {"dimension", t.dimension},
                             {"metric", metric_json(t.metric)},
                             {"columns", columns},
                             {"column_keys", column_keys},
                             {"rows", rows},
                             {"geomean", {{"rows", t.summary_rows}, {"values", geomean}}},
                             {"notes", t.notes}});
  }
  return dump(out);
}

}  // namespace parbench::compare
