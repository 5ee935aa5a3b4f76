// libFuzzer target: the report reader, and everything that consumes what it accepts. An input
// is one report, or two separated by a NUL byte. Only InputError may come out of the reader;
// anything else (another exception, a crash, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "schema/report.hpp"
#include "tools/compare/comparison.hpp"
#include "tools/compare/format.hpp"
#include "tools/compare/matching.hpp"
#include "tools/compare/patterns.hpp"
#include "tools/compare/pivot.hpp"

using namespace parbench::compare;
using parbench::schema::parse_report;

namespace {

void consume(const Report& a, const Report& b) {
  std::vector<std::string> notes;
  const std::vector<const Report*> reports = {&a, &b};
  std::vector<std::vector<Group>> groups = {group_entries(a, notes), group_entries(b, notes)};
  const std::vector<Row> rows = match(groups);
  CompareSettings settings;
  settings.fail_above = 10;
  settings.thresholds =
      parse_thresholds(R"({"kernel=sum,size=1M": 3, "*/thread/*": 7, "default": 4})");
  std::vector<Table> tables;
  std::vector<PivotTable> pivots;
  for (const char* field : {"real_time", "cpu_time", "bandwidth_fraction", "speedup", "name"}) {
    const Metric m = make_metric(field);
    tables.push_back(compare(reports, groups, rows, m, settings));
    for (const char* dimension : {"backend", "workers"})
      pivots.push_back(pivot({"a.json", "b.json"}, groups, dimension, m));
  }
  FormatOptions options;
  options.paths = {a.path, b.path};
  options.completeness = {a.completeness, b.completeness};
  for (const Format f : {Format::text, Format::markdown, Format::json}) {
    options.format = f;
    options.colour = f == Format::text;
    (void)format_comparison(tables, notes, options);
    (void)format_pivots(pivots, notes, options);
  }
  // Cut to fit: every row, some, or none (then OutputTooLong, which the command reports).
  for (const std::size_t max_chars : {std::size_t{4096}, std::size_t{64}}) {
    options.format = Format::markdown;
    options.max_chars = max_chars;
    try {
      (void)format_comparison(tables, notes, options);
      (void)format_pivots(pivots, notes, options);
    } catch (const OutputTooLong&) {
    }
  }
  const std::vector<Pattern> filters = {parse_pattern("backend=t*,workers=2"),
                                        parse_pattern("sum")};
  (void)select(groups[1], filters);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = text.find('\0');
  const std::string_view first = text.substr(0, cut);
  const std::string_view second = cut == std::string_view::npos ? first : text.substr(cut + 1);
  try {
    (void)parse_thresholds(first);
  } catch (const InputError&) {
  }
  try {
    const Report a = parse_report(first, "a.json");
    const Report b = parse_report(second, "b.json");
    consume(a, b);
  } catch (const InputError&) {
  }
  return 0;
}
