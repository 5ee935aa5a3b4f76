#include "tools/compare/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include "tools/compare/layout.hpp"

namespace parbench::compare {

namespace {

// Which rows of each table are shown: per table, per row.
using Shown = std::vector<std::vector<bool>>;

// A row of one of the tables.
struct RowRef {
  std::size_t table = 0, row = 0;
};

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

Layout comparison_layout(const Table& t, const std::vector<bool>& shown) {
  Layout l;
  const std::size_t n = t.reports.size();
  l.header = {"Benchmark", t.reports[0]};
  l.right_aligned = {false, true};
  for (std::size_t r = 1; r < n; ++r) {
    l.header.insert(l.header.end(), {t.reports[r], "change", "p", "verdict"});
    l.right_aligned.insert(l.right_aligned.end(), {true, true, true, false});
  }
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    if (!shown[i]) continue;
    const TableRow& row = t.rows[i];
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

std::vector<std::string> error_lines(const Table& t, const std::vector<bool>& shown) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    if (!shown[i]) continue;
    const TableRow& row = t.rows[i];
    for (std::size_t r = 0; r < row.cells.size(); ++r)
      if (row.cells[r].error)
        lines.push_back("error in " + t.reports[r] + ": " + row.label + ": " +
                        row.cells[r].error_message);
  }
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
    const auto note = schema::completeness_note(o.paths[r], o.completeness[r]);
    if (!note) continue;
    // Markdown joins consecutive lines into one paragraph: a blank line keeps each its own.
    out += o.format == Format::markdown ? "**Note:** " + *note + ".\n\n" : "Note: " + *note + ".\n";
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

Layout pivot_layout(const PivotTable& t, const std::vector<bool>& shown) {
  Layout l;
  l.header = {"Benchmark"};
  l.right_aligned = {false};
  for (const auto& c : t.columns) {
    l.header.push_back(c.header);
    l.right_aligned.push_back(true);
  }
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    if (!shown[i]) continue;
    const PivotRow& row = t.rows[i];
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

std::string render_comparison(const std::vector<Table>& tables,
                              const std::vector<std::string>& notes, const FormatOptions& o,
                              const Shown& shown) {
  std::string out;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const Table& t = tables[i];
    if (!out.empty()) out += "\n";
    out += settings_text(o, t.metric) + "\n\n";
    const Layout layout = comparison_layout(t, shown[i]);
    out += o.format == Format::markdown ? render_markdown(layout) : render_text(layout, o.colour);
    const std::string block =
        notes_block({error_lines(t, shown[i]), t.notes, regression_line(t, o)}, o.format);
    if (!block.empty()) {
      out += '\n';
      out += block;
    }
  }
  if (!notes.empty()) {
    out += '\n';
    out += notes_block({notes}, o.format);
  }
  return unfinished_block(o) + out;
}

std::string pivot_title(const PivotTable& t) {
  std::string title = t.metric.field + " by " + t.dimension + " (" + direction_text(t.metric) +
                      "), median over repetitions";
  if (t.report_keys.empty()) return (t.reports.empty() ? "" : t.reports[0] + ": ") + title;
  for (std::size_t r = 0; r < t.reports.size(); ++r)
    title += (r == 0 ? "; " : ", ") + t.report_keys[r] + " = " + t.reports[r];
  return title;
}

std::string render_pivots(const std::vector<PivotTable>& tables,
                          const std::vector<std::string>& notes, const FormatOptions& o,
                          const Shown& shown) {
  std::string out;
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const PivotTable& t = tables[i];
    if (!out.empty()) out += "\n";
    const Layout layout = pivot_layout(t, shown[i]);
    if (o.format == Format::markdown)
      out += "**" + pivot_title(t) + "**\n\n" + render_markdown(layout);
    else
      out += pivot_title(t) + "\n\n" + render_text(layout, o.colour);
    if (!t.notes.empty()) {
      out += '\n';
      out += notes_block({t.notes}, o.format);
    }
  }
  if (!notes.empty()) {
    out += '\n';
    out += notes_block({notes}, o.format);
  }
  return unfinished_block(o) + out;
}

template <class T>
Shown every_row(const std::vector<T>& tables) {
  Shown shown;
  for (const auto& t : tables) shown.emplace_back(t.rows.size(), true);
  return shown;
}

// Rows most worth keeping first: significant changes (better or worse, with the U test or past
// the threshold when too few repetitions to test), then errors, then the rest; within each, the
// largest change first; otherwise in table order.
std::vector<RowRef> comparison_priority(const std::vector<Table>& tables) {
  struct Ranked {
    RowRef ref;
    int tier;
    double change;
  };
  std::vector<Ranked> ranked;
  for (std::size_t t = 0; t < tables.size(); ++t)
    for (std::size_t r = 0; r < tables[t].rows.size(); ++r) {
      const TableRow& row = tables[t].rows[r];
      bool significant = false, error = false;
      double change = -1;  // rows without a change come last in their tier
      for (const Change& c : row.changes) {
        significant = significant || c.verdict == Verdict::better || c.verdict == Verdict::worse;
        error = error || c.verdict == Verdict::error;
        if (c.percent) change = std::max(change, std::fabs(*c.percent));
      }
      ranked.push_back({{t, r}, significant ? 0 : error ? 1 : 2, change});
    }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    return a.tier != b.tier ? a.tier < b.tier : a.change > b.change;
  });
  std::vector<RowRef> order;
  for (const auto& r : ranked) order.push_back(r.ref);
  return order;
}

// Rows whose columns differ most (highest value over lowest) first: where the choice the pivot
// lays out matters most. Rows with fewer than two values last, in table order.
std::vector<RowRef> pivot_priority(const std::vector<PivotTable>& tables) {
  std::vector<std::pair<RowRef, double>> ranked;
  for (std::size_t t = 0; t < tables.size(); ++t)
    for (std::size_t r = 0; r < tables[t].rows.size(); ++r) {
      std::vector<double> values;
      for (const PivotCell& c : tables[t].rows[r].cells)
        if (c.value && *c.value > 0) values.push_back(*c.value);
      double spread = 0;
      if (values.size() >= 2)
        spread = *std::max_element(values.begin(), values.end()) /
                 *std::min_element(values.begin(), values.end());
      ranked.push_back({{t, r}, spread});
    }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<RowRef> order;
  for (const auto& r : ranked) order.push_back(r.first);
  return order;
}

std::string limit_text(std::size_t max_chars, Format format) {
  if (format == Format::markdown && max_chars == kGitHubCommentChars)
    return "a GitHub comment (" + grouped(max_chars) + " characters)";
  return "--max-chars " + grouped(max_chars);
}

// The last line of cut output: how many rows went, which were kept, how to see them all.
std::string cut_note(std::size_t cut, std::size_t rows, const FormatOptions& o,
                     const std::string& kept) {
  const std::string note = grouped(cut) + " of " + grouped(rows) + (rows == 1 ? " row" : " rows") +
                           " cut to fit " + limit_text(*o.max_chars, o.format) + "; kept: " + kept +
                           ". ";
  if (o.format == Format::markdown) return "\n_" + note + "Run with --format=text for all._\n";
  return "\n" + note + "Run without --max-chars for all.\n";
}

// The output with every row where it fits max_chars; else with the longest run of `priority`
// (rows most worth keeping first) that fits along with the note of what was cut. The output
// grows with each row kept, so a binary search finds it.
std::string fit(const Shown& every, const std::vector<RowRef>& priority, const FormatOptions& o,
                const std::string& kept, const std::function<std::string(const Shown&)>& render) {
  std::string all = render(every);
  if (!o.max_chars || display_width(all) <= *o.max_chars) return all;
  const auto keeping = [&](std::size_t count) {
    Shown shown = every;
    for (auto& table : shown) std::fill(table.begin(), table.end(), false);
    for (std::size_t i = 0; i < count; ++i) shown[priority[i].table][priority[i].row] = true;
    return render(shown) + cut_note(priority.size() - count, priority.size(), o, kept);
  };
  std::string best = keeping(0);
  if (display_width(best) > *o.max_chars)
    throw OutputTooLong(limit_text(*o.max_chars, o.format) + ": the output takes " +
                        grouped(display_width(best)) +
                        " characters even with every row cut (headers and notes)");
  std::size_t fits = 0, too_long = priority.size();  // keeping(too_long) does not fit
  while (too_long - fits > 1) {
    const std::size_t middle = fits + (too_long - fits) / 2;
    std::string text = keeping(middle);
    if (display_width(text) <= *o.max_chars) {
      fits = middle;
      best = std::move(text);
    } else {
      too_long = middle;
    }
  }
  return best;
}

}  // namespace

std::string percent_text(double percent) {
  return fixed(std::fabs(percent) < 10 ? "%+.2f%%" : "%+.1f%%", percent);
}

std::string format_comparison(const std::vector<Table>& tables,
                              const std::vector<std::string>& notes, const FormatOptions& o) {
  if (o.format == Format::json) return comparison_json(tables, notes, o);
  return fit(every_row(tables), comparison_priority(tables), o,
             "the significant changes, then the errors, then the largest changes",
             [&](const Shown& shown) { return render_comparison(tables, notes, o, shown); });
}

std::string format_pivots(const std::vector<PivotTable>& tables,
                          const std::vector<std::string>& notes, const FormatOptions& o) {
  if (o.format == Format::json) return pivots_json(tables, notes, o);
  return fit(every_row(tables), pivot_priority(tables), o, "the rows whose columns differ most",
             [&](const Shown& shown) { return render_pivots(tables, notes, o, shown); });
}

}  // namespace parbench::compare
