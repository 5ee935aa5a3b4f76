#include "tools/compare/format.hpp"

#include <cmath>
#include <cstdio>

#include "tools/compare/layout.hpp"

namespace parbench::compare {

namespace {

std::string fixed(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

Style style_of(Verdict v) {
  switch (v) {
    case Verdict::better:
      return Style::good;
    case Verdict::worse:
      return Style::bad;
    case Verdict::better_unsure:
    case Verdict::worse_unsure:
      return Style::unsure;
    case Verdict::error:
      return Style::error;
    default:
      return Style::plain;
  }
}

std::string value_text(const Cell& c, const Metric& m) {
  if (!c.present) return "-";
  if (c.error) return "error";
  if (!c.value) return "n/a";
  std::string text = format_value(*c.value, m);
  if (const auto spread = c.interval_percent()) text += fixed(" ±%.1f%%", *spread);
  return text;
}

std::string p_text(const Change& c) {
  if (!c.p) return "-";
  const std::string p = *c.p < 0.001 ? fixed("%.1e", *c.p) : fixed("%.3f", *c.p);
  return c.test == SignificanceTest::u_test ? p : "(" + p + ")";
}

std::string verdict_cell(const Change& c, const Metric& m, const TableRow& row,
                         const std::vector<std::string>& labels, std::size_t other) {
  if (c.verdict != Verdict::missing || labels.size() != 2) return verdict_text(c.verdict, m);
  return "only in " + labels[row.cells[0].present ? 0 : other];
}

std::string settings_text(const FormatOptions& o, const Metric& m) {
  std::string text = o.format == Format::markdown ? "**" + m.field + "**" : m.field;
  text += " (" + direction_text(m) + "), median over repetitions; ";
  text += "threshold " + fixed("%g", o.threshold) + "%";
  if (!o.thresholds_file.empty()) text += " (per run from " + o.thresholds_file + ")";
  text += ", U test at alpha " + fixed("%g", o.alpha);
  if (o.failing) text += "; regressions fail";
  return text;
}

Layout comparison_layout(const Table& t) {
  Layout l;
  const std::size_t n = t.reports.size();
  l.header = {"Benchmark", t.reports[0]};
  l.right_aligned = {false, true};
  for (std::size_t r = 1; r < n; ++r) {
    l.header.insert(l.header.end(), {t.reports[r], "change", "p", "verdict"});
    l.right_aligned.insert(l.right_aligned.end(), {true, true, true, false});
  }
  for (const auto& row : t.rows) {
    std::vector<LayoutCell> cells = {{row.label, Style::plain},
                                     {value_text(row.cells[0], t.metric), Style::plain}};
    for (std::size_t r = 1; r < n; ++r) {
      const Change& c = row.changes[r - 1];
      const Style s = style_of(c.verdict);
      cells.push_back({value_text(row.cells[r], t.metric), Style::plain});
      cells.push_back({c.percent ? percent_text(*c.percent) : "", s});
      cells.push_back({p_text(c), Style::plain});
      cells.push_back({verdict_cell(c, t.metric, row, t.reports, r), s});
    }
    l.rows.push_back(std::move(cells));
  }
  const Summary& s = t.summary;
  l.summary_from = l.rows.size();
  std::vector<LayoutCell> cells = {
      {"geomean (" + std::to_string(s.rows) + (s.rows == 1 ? " run" : " runs") + " in all)",
       Style::plain},
      {s.geomean[0] ? format_value(*s.geomean[0], t.metric) : "-", Style::plain}};
  for (std::size_t r = 1; r < n; ++r) {
    const Style st = style_of(s.verdict[r - 1]);
    cells.push_back({s.geomean[r] ? format_value(*s.geomean[r], t.metric) : "-", Style::plain});
    cells.push_back({s.percent[r - 1] ? percent_text(*s.percent[r - 1]) : "", st});
    cells.push_back({"", Style::plain});
    cells.push_back({s.percent[r - 1] ? verdict_text(s.verdict[r - 1], t.metric) : "", st});
  }
  l.rows.push_back(std::move(cells));
  return l;
}

std::vector<std::string> error_lines(const Table& t) {
  std::vector<std::string> lines;
  for (const auto& row : t.rows)
    for (std::size_t r = 0; r < row.cells.size(); ++r)
      if (row.cells[r].error)
        lines.push_back("error in " + t.reports[r] + ": " + row.label + ": " +
                        row.cells[r].error_message);
  return lines;
}

std::vector<std::string> regression_line(const Table& t, const FormatOptions& o) {
  if (!o.failing) return {};
  if (t.regressions == 0) return {"No regression past its threshold."};
  return {std::to_string(t.regressions) + (t.regressions == 1 ? " regression" : " regressions") +
          " past the threshold: exit status 1."};
}

std::string notes_block(const std::vector<std::vector<std::string>>& groups, Format format) {
  std::string out;
  for (const auto& group : groups)
    for (const auto& note : group) out += (format == Format::markdown ? "- " : "") + note + "\n";
  return out;
}

// Above the tables, once: a comparison with an unfinished run lacks what was not run.
std::string unfinished_block(const FormatOptions& o) {
  std::string out;
  for (std::size_t r = 0; r < o.completeness.size() && r < o.paths.size(); ++r) {
    const std::string note = completeness_note(o.paths[r], o.completeness[r]);
    if (note.empty()) continue;
    // Markdown joins consecutive lines into one paragraph: a blank line keeps each its own.
    out += o.format == Format::markdown ? "**Note:** " + note + ".\n\n" : "Note: " + note + ".\n";
  }
  if (!out.empty() && o.format != Format::markdown) out += '\n';
  return out;
}

std::string pivot_cell_text(const PivotCell& c, const Metric& m) {
  if (!c.present) return "-";
  if (c.error) return "error";
  if (!c.value) return "n/a";
  std::string text = format_value(*c.value, m);
  if (!c.variant.empty()) text += " (" + c.variant + ")";
  return text;
}

Layout pivot_layout(const PivotTable& t) {
  Layout l;
  l.header = {"Benchmark"};
  l.right_aligned = {false};
  for (const auto& c : t.columns) {
    l.header.push_back(c.header);
    l.right_aligned.push_back(true);
  }
  for (const auto& row : t.rows) {
    std::vector<LayoutCell> cells = {{row.label, Style::plain}};
    for (const auto& c : row.cells)
      cells.push_back({pivot_cell_text(c, t.metric), c.error ? Style::error : Style::plain});
    l.rows.push_back(std::move(cells));
  }
  l.summary_from = l.rows.size();
  std::vector<LayoutCell> cells = {{"geomean (" + std::to_string(t.summary_rows) +
                                        (t.summary_rows == 1 ? " row" : " rows") + " with every " +
                                        (t.report_keys.empty() ? t.dimension : "column") + ")",
                                    Style::plain}};
  for (const auto& g : t.geomean)
    cells.push_back({g ? format_value(*g, t.metric) : "-", Style::plain});
  l.rows.push_back(std::move(cells));
  return l;
}

std::string pivot_title(const PivotTable& t) {
  std::string title = t.metric.field + " by " + t.dimension + " (" + direction_text(t.metric) +
                      "), median over repetitions";
  if (t.report_keys.empty()) return (t.reports.empty() ? "" : t.reports[0] + ": ") + title;
  for (std::size_t r = 0; r < t.reports.size(); ++r)
    title += (r == 0 ? "; " : ", ") + t.report_keys[r] + " = " + t.reports[r];
  return title;
}

}  // namespace

std::string percent_text(double percent) {
  return fixed(std::fabs(percent) < 10 ? "%+.2f%%" : "%+.1f%%", percent);
}

std::string format_comparison(const std::vector<Table>& tables,
                              const std::vector<std::string>& notes, const FormatOptions& o) {
  if (o.format == Format::json) return comparison_json(tables, notes, o);
  const std::string unfinished = unfinished_block(o);
  std::string out;
  for (const auto& t : tables) {
    if (!out.empty()) out += "\n";
    out += settings_text(o, t.metric) + "\n\n";
    const Layout layout = comparison_layout(t);
    out += o.format == Format::markdown ? render_markdown(layout) : render_text(layout, o.colour);
    const std::string block =
        notes_block({error_lines(t), t.notes, regression_line(t, o)}, o.format);
    if (!block.empty()) {
      out += '\n';
      out += block;
    }
  }
  if (!notes.empty()) {
    out += '\n';
    out += notes_block({notes}, o.format);
  }
  return unfinished + out;
}

std::string format_pivots(const std::vector<PivotTable>& tables,
                          const std::vector<std::string>& notes, const FormatOptions& o) {
  if (o.format == Format::json) return pivots_json(tables, notes, o);
  const std::string unfinished = unfinished_block(o);
  std::string out;
  for (const auto& t : tables) {
    if (!out.empty()) out += "\n";
    const std::string title = pivot_title(t);
    if (o.format == Format::markdown) {
      out += "**" + title + "**\n\n" + render_markdown(pivot_layout(t));
    } else {
      out += title + "\n\n" + render_text(pivot_layout(t), o.colour);
    }
    if (!t.notes.empty()) {
      out += '\n';
      out += notes_block({t.notes}, o.format);
    }
  }
  if (!notes.empty()) {
    out += '\n';
    out += notes_block({notes}, o.format);
  }
  return unfinished + out;
}

}  // namespace parbench::compare
