#pragma once
// Writes comparisons and pivot tables as aligned text, Markdown or JSON.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tools/compare/comparison.hpp"
#include "tools/compare/pivot.hpp"

namespace parbench::compare {

enum class Format { text, markdown, json };

// The most characters a GitHub comment holds: the default --max-chars of Markdown output.
inline constexpr std::size_t kGitHubCommentChars = 65536;

struct FormatOptions {
  Format format = Format::text;
  bool colour = false;  // text only
  double alpha = 0.05;
  double threshold = 5;                    // the default threshold, percent
  std::string thresholds_file;             // where per-run thresholds came from, if anywhere
  bool failing = false;                    // --fail-above or --thresholds: regressions fail
  std::vector<std::string> paths;          // the reports, as given
  std::vector<Completeness> completeness;  // per report, as paths: unfinished runs are noted
  // Text and Markdown: the most characters (Unicode code points) of the output. Where every row
  // would not fit, the rows least worth keeping are cut and a last line says so.
  std::optional<std::size_t> max_chars;
};

// The output cannot fit max_chars even with every row cut: what() says so in one line.
class OutputTooLong : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `notes` are about the whole run (e.g. runs told apart by name); each table has its own.
// Cut to fit max_chars, the significant changes are kept first, then the errors, then the rest
// by the size of their change. Throws OutputTooLong.
std::string format_comparison(const std::vector<Table>& tables,
                              const std::vector<std::string>& notes, const FormatOptions& options);

// Cut to fit max_chars, the rows whose columns differ most (highest over lowest) are kept.
// Throws OutputTooLong.
std::string format_pivots(const std::vector<PivotTable>& tables,
                          const std::vector<std::string>& notes, const FormatOptions& options);

// The same, as JSON (used by the two above for Format::json).
std::string comparison_json(const std::vector<Table>& tables, const std::vector<std::string>& notes,
                            const FormatOptions& options);
std::string pivots_json(const std::vector<PivotTable>& tables,
                        const std::vector<std::string>& notes, const FormatOptions& options);

// "+20.0%", "-3.14%", "+0.00%".
std::string percent_text(double percent);

}  // namespace parbench::compare
