#include "tools/compare/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <optional>

#include "schema/report.hpp"
#include "schema/text.hpp"
#include "tools/compare/comparison.hpp"
#include "tools/compare/format.hpp"
#include "tools/compare/matching.hpp"
#include "tools/compare/patterns.hpp"
#include "tools/compare/pivot.hpp"

namespace parbench::compare {

namespace {

struct Options {
  std::vector<std::string> paths;
  std::vector<std::string> metrics;
  std::string better;
  bool normalize = false;
  std::string pivot;
  std::vector<std::string> filters;
  double threshold = 5;
  double alpha = 0.05;
  std::optional<double> fail_above;
  std::string thresholds_file;
  std::string format = "text";
  std::string colour = "auto";
  bool show_unmatched = false;
  std::optional<std::size_t> max_chars;  // as given; 0 is no limit
};

class BadInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

const char* const kDescription =
    "parbench-compare: compares parbench reports (or any Google Benchmark JSON output).\n"
    "Runs are matched by their params (by name where a report has none); per run: the median\n"
    "over repetitions in each report, the change against the first report, a two-sided\n"
    "Mann-Whitney U test over the repetitions, and a verdict against a threshold.\n"
    "Exit status: 0; 1 when --fail-above or --thresholds is given and a run is worse past its\n"
    "threshold (significantly, or with too few repetitions to test); 2 for bad input, and when\n"
    "nothing could be compared (no run in common, or no value on both sides).";

// The options whose values CLI11 cannot hold in Options as they are: whether --fail-above and
// --max-chars were given, and --max-chars signed, so that CLI11 refuses -1 rather than wrapping
// it round to a huge limit.
struct Given {
  double fail_above = 0;
  long long max_chars = 0;
  CLI::Option* fail = nullptr;
  CLI::Option* limit = nullptr;
};

Given add_options(CLI::App& app, Options& o) {
  Given given;
  app.add_option("reports", o.paths, "Reports: the first is the reference")->required();
  auto* metric =
      app.add_option("--metric", o.metrics,
                     "Figures to compare (default real_time): real_time, cpu_time, "
                     "bytes_per_second, speedup, efficiency, bandwidth_fraction, makespan, ... any "
                     "numeric field of an entry")
          ->delimiter(',')
          ->allow_extra_args(false);
  app.add_option("--better", o.better,
                 "Which way is better for the metrics (default: lower for times, higher for "
                 "*_per_second, speedup, efficiency, bandwidth_fraction)")
      ->check(CLI::IsMember({"lower", "higher"}));
  app.add_flag("--normalize", o.normalize,
               "Across machines: compare speedup, efficiency and bandwidth_fraction (each "
               "report's fraction of its own measured bandwidth) instead of times")
      ->excludes(metric);
  auto* pivot =
      app.add_option("--pivot", o.pivot,
                     "Lay the reports out side by side by this params key, one "
                     "column per value and report: backend, policy, workers, launch, ...");
  app.add_option("--filter", o.filters,
                 "Only runs matching a pattern: key=glob[,key=glob] on params (key 'name' is the "
                 "run name), or a glob on the run name, or a kernel; repeat for 'or'")
      ->allow_extra_args(false);
  app.add_option("--threshold", o.threshold,
                 "Percent change below which a run is 'same'; default 5, or --fail-above")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--alpha", o.alpha, "Significance level of the U test")->capture_default_str();
  given.fail = app.add_option("--fail-above", given.fail_above,
                              "Exit status 1 when a run is worse by more than PCT percent with "
                              "significance (threshold alone when too few repetitions)")
                   ->check(CLI::NonNegativeNumber)
                   ->excludes(pivot);
  app.add_option("--thresholds", o.thresholds_file,
                 "JSON file of per-run thresholds, e.g. {\"kernel=launch\": 50, \"sum\": 10, "
                 "\"default\": 5}; first match wins; implies failing like --fail-above")
      ->excludes(pivot);
  app.add_option("--format", o.format, "Output: text, markdown or json")
      ->check(CLI::IsMember({"text", "markdown", "json"}))
      ->capture_default_str();
  given.limit =
      app.add_option("--max-chars", given.max_chars,
                     "Text or Markdown: at most N characters, cutting the rows least worth "
                     "keeping (default 65536 for markdown, a GitHub comment; 0: no limit)");
  app.add_flag("--show-unmatched", o.show_unmatched,
               "List the runs that nothing is compared with (in one report only, or not in the "
               "first) as rows, not just their count");
  app.add_option("--color", o.colour,
                 "Colour the text: auto (when stdout is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  return given;
}

// Reads the options; throws CLI::ParseError or BadInput.
Options parse(CLI::App& app, int argc, const char* const* argv) {
  Options o;
  const Given given = add_options(app, o);
  app.parse(argc, argv);
  if (given.fail->count() > 0) o.fail_above = given.fail_above;
  if (given.max_chars < 0) throw BadInput("--max-chars must be 0 (no limit) or more");
  if (given.limit->count() > 0) o.max_chars = static_cast<std::size_t>(given.max_chars);
  if (o.max_chars && o.format == "json")
    throw BadInput("--max-chars: JSON output is never cut (use --format=text or markdown)");
  if (!(o.alpha > 0 && o.alpha < 1)) throw BadInput("--alpha must be between 0 and 1");
  if (o.pivot.empty() && o.paths.size() < 2)
    throw BadInput("give two or more reports to compare, or --pivot KEY to lay out one");
  return o;
}

std::vector<Metric> metrics_of(const Options& o) {
  std::vector<std::string> fields = o.metrics;
  if (o.normalize) fields = {"speedup", "efficiency", "bandwidth_fraction"};
  if (fields.empty()) fields = {"real_time"};
  std::optional<Better> better;
  if (!o.better.empty()) better = o.better == "lower" ? Better::lower : Better::higher;
  std::vector<Metric> metrics;
  for (const auto& f : fields) {
    if (f.empty()) throw BadInput("--metric: empty name");
    metrics.push_back(make_metric(f, better));
  }
  return metrics;
}

std::vector<std::string> fields_of(const std::vector<Metric>& metrics) {
  std::vector<std::string> fields;
  for (const auto& m : metrics) fields.push_back(m.field);
  return fields;
}

bool first_shares_a_run(const std::vector<Row>& rows) {
  for (const auto& row : rows)
    if (row.cells[0])
      for (std::size_t r = 1; r < row.cells.size(); ++r)
        if (row.cells[r]) return true;
  return false;
}

// Something was compared when a run has a value in the first report and in another.
bool compared_anything(const std::vector<Table>& tables) {
  for (const auto& t : tables)
    for (const auto& row : t.rows)
      if (row.cells[0].value)
        for (std::size_t r = 1; r < row.cells.size(); ++r)
          if (row.cells[r].value) return true;
  return false;
}

bool laid_out_anything(const std::vector<PivotTable>& tables) {
  for (const auto& t : tables)
    for (const auto& row : t.rows)
      for (const auto& cell : row.cells)
        if (cell.value) return true;
  return false;
}

// A CI gate that passed having compared nothing would pass whatever the reports held.
std::string nothing_compared(const Options& o, const std::vector<Row>& rows,
                             const std::vector<Metric>& metrics) {
  const std::vector<std::string> others(o.paths.begin() + 1, o.paths.end());
  if (!first_shares_a_run(rows))
    return "nothing was compared: no run of " + o.paths[0] + " is also in " +
           schema::joined(others, " or ");
  return "nothing was compared: no run has a value of " +
         schema::joined(fields_of(metrics), " or ") + " in both " + o.paths[0] + " and " +
         (others.size() == 1 ? others[0] : "another report") +
         " (each is missing, not a number, or an error)";
}

std::string nothing_laid_out(const Options& o, const std::vector<Metric>& metrics) {
  return "nothing was compared: no run with '" + o.pivot + "' has a value of " +
         schema::joined(fields_of(metrics), " or ") +
         " (each is missing, not a number, or an error)";
}

// Said once, on stderr, when the output is written: an unfinished run must not pass for one.
void tell_unfinished(const std::vector<Report>& reports, std::ostream& err) {
  for (const auto& r : reports)
    if (const auto note = schema::completeness_note(r.path, r.completeness))
      err << "parbench-compare: note: " << *note << "\n";
}

bool anywhere(const std::vector<std::vector<Group>>& groups, const Metric& metric) {
  for (const auto& report : groups)
    for (const auto& g : report)
      if (sample(g, metric).value) return true;
  return false;
}

// Markdown is cut to fit a GitHub comment unless told otherwise; text only when asked.
std::optional<std::size_t> max_chars_of(const Options& o) {
  if (o.max_chars) return *o.max_chars == 0 ? std::nullopt : o.max_chars;
  if (o.format == "markdown") return kGitHubCommentChars;
  return std::nullopt;
}

CompareSettings settings_of(const Options& o) {
  CompareSettings settings;
  settings.threshold = o.threshold;
  settings.alpha = o.alpha;
  settings.fail_above = o.fail_above;
  settings.show_unmatched = o.show_unmatched;
  if (!o.thresholds_file.empty()) try {
      settings.thresholds = read_thresholds(o.thresholds_file);
    } catch (const InputError& e) {
      throw BadInput(o.thresholds_file + ": " + e.what());
    }
  return settings;
}

std::vector<Pattern> filters_of(const Options& o) {
  std::vector<Pattern> filters;
  for (const auto& f : o.filters) try {
      filters.push_back(parse_pattern(f));
    } catch (const std::invalid_argument& e) {
      throw BadInput(std::string("--filter: ") + e.what());
    }
  return filters;
}

std::vector<Report> read_reports(const Options& o) {
  std::vector<Report> reports;
  reports.reserve(o.paths.size());
  for (const auto& path : o.paths) try {
      reports.push_back(schema::read_report(path));
    } catch (const InputError& e) {
      throw BadInput(path + ": " + e.what());
    }
  return reports;
}

// Each report's runs grouped over their repetitions, those the filters keep.
std::vector<std::vector<Group>> selected_groups(const std::vector<Report>& reports,
                                                const std::vector<Pattern>& filters,
                                                std::vector<std::string>& notes) {
  std::vector<std::vector<Group>> groups;
  bool any_selected = false;
  for (const auto& r : reports) {
    groups.push_back(select(group_entries(r, notes), filters));
    any_selected = any_selected || !groups.back().empty();
  }
  if (!any_selected) throw BadInput("--filter: no run in the reports matches");
  return groups;
}

// The metrics some run has. A metric asked for by name that no run has is bad input;
// --normalize's three are left out with a note, as long as one is there.
std::vector<Metric> present_metrics(const Options& o, const std::vector<Metric>& metrics,
                                    const std::vector<std::vector<Group>>& groups,
                                    std::vector<std::string>& notes) {
  std::vector<Metric> present;
  for (const auto& m : metrics) {
    if (anywhere(groups, m))
      present.push_back(m);
    else if (o.normalize)
      notes.push_back("No run has '" + m.field + "': left out.");
    else
      throw BadInput("no run in the reports has a numeric '" + m.field + "' (see --metric)");
  }
  if (present.empty())
    throw BadInput(
        "--normalize: no run has speedup, efficiency or bandwidth_fraction (parbench "
        "reports have them; plain Google Benchmark output does not)");
  return present;
}

FormatOptions format_options_of(const Options& o, const CompareSettings& settings,
                                const std::vector<Report>& reports, bool out_is_terminal) {
  FormatOptions format;
  format.format = o.format == "json"       ? Format::json
                  : o.format == "markdown" ? Format::markdown
                                           : Format::text;
  format.colour = format.format == Format::text &&
                  (o.colour == "always" ||
                   (o.colour == "auto" && out_is_terminal && std::getenv("NO_COLOR") == nullptr));
  format.alpha = o.alpha;
  format.threshold = o.fail_above.value_or(settings.thresholds.fallback.value_or(o.threshold));
  format.thresholds_file = o.thresholds_file;
  format.failing = o.fail_above.has_value() || !o.thresholds_file.empty();
  format.paths = o.paths;
  for (const auto& r : reports) format.completeness.push_back(r.completeness);
  format.max_chars = max_chars_of(o);
  return format;
}

std::vector<const Report*> pointers_to(const std::vector<Report>& reports) {
  std::vector<const Report*> pointers;
  for (const auto& r : reports) pointers.push_back(&r);
  return pointers;
}

// --pivot: one table per metric, the reports' runs side by side by one params key.
std::string laid_out(const Options& o, const std::vector<Report>& reports,
                     const std::vector<std::vector<Group>>& groups,
                     const std::vector<Metric>& metrics, const std::vector<std::string>& notes,
                     const FormatOptions& format) {
  std::vector<PivotTable> tables;
  const auto labels = report_labels(pointers_to(reports));
  bool any_row = false;
  for (const auto& m : metrics) {
    tables.push_back(pivot(labels, groups, o.pivot, m));
    any_row = any_row || !tables.back().rows.empty();
  }
  if (!any_row) throw BadInput("--pivot " + o.pivot + ": no run has params with '" + o.pivot + "'");
  if (!laid_out_anything(tables)) throw BadInput(nothing_laid_out(o, metrics));
  return format_pivots(tables, notes, format);
}

struct Compared {
  std::string text;
  std::size_t regressions = 0;
};

// One table per metric: each run of the first report against the others'.
Compared compared(const Options& o, const CompareSettings& settings,
                  const std::vector<Report>& reports, const std::vector<std::vector<Group>>& groups,
                  const std::vector<Metric>& metrics, const std::vector<std::string>& notes,
                  const FormatOptions& format) {
  const std::vector<Row> rows = match(groups);
  std::vector<Table> tables;
  Compared result;
  for (const auto& m : metrics) {
    tables.push_back(compare(pointers_to(reports), groups, rows, m, settings));
    result.regressions += tables.back().regressions;
  }
  if (!compared_anything(tables)) throw BadInput(nothing_compared(o, rows, metrics));
  result.text = format_comparison(tables, notes, format);
  return result;
}

int run_checked(const Options& o, std::ostream& out, std::ostream& err, bool out_is_terminal) {
  const CompareSettings settings = settings_of(o);
  const std::vector<Pattern> filters = filters_of(o);
  const std::vector<Metric> metrics = metrics_of(o);
  const std::vector<Report> reports = read_reports(o);
  std::vector<std::string> notes;
  const auto groups = selected_groups(reports, filters, notes);
  const std::vector<Metric> present = present_metrics(o, metrics, groups, notes);
  const FormatOptions format = format_options_of(o, settings, reports, out_is_terminal);
  if (!o.pivot.empty()) {
    const std::string text = laid_out(o, reports, groups, present, notes, format);
    tell_unfinished(reports, err);
    out << text;
    return 0;
  }
  const Compared result = compared(o, settings, reports, groups, present, notes, format);
  tell_unfinished(reports, err);
  out << result.text;
  return format.failing && result.regressions > 0 ? kRegression : 0;
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
        bool out_is_terminal) {
  CLI::App app{kDescription, "parbench-compare"};
  Options options;
  try {
    options = parse(app, argc, argv);
    return run_checked(options, out, err, out_is_terminal);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "parbench-compare: " << e.what() << "\n";
    return kBadInput;
  } catch (const BadInput& e) {
    err << "parbench-compare: " << e.what() << "\n";
    return kBadInput;
  } catch (const OutputTooLong& e) {
    err << "parbench-compare: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::bad_alloc&) {
    err << "parbench-compare: out of memory\n";
    return kBadInput;
  }
}

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        bool out_is_terminal) {
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return run(static_cast<int>(argv.size()), argv.data(), out, err, out_is_terminal);
}

}  // namespace parbench::compare
