#pragma once
// A table of text cells, drawn as aligned text (optionally coloured) or as Markdown.
#include <string>
#include <vector>

namespace parbench::compare {

enum class Style { plain, good, bad, unsure, error };

struct LayoutCell {
  std::string text;
  Style style = Style::plain;
};

struct Layout {
  std::vector<std::string> header;
  std::vector<bool> right_aligned;  // per column
  std::vector<std::vector<LayoutCell>> rows;
  std::size_t summary_from = static_cast<std::size_t>(-1);  // rows from here are summaries
};

// Columns two spaces apart, a rule under the header and above the summary rows. Colour (ANSI)
// only when asked, and never counted in the widths.
std::string render_text(const Layout& layout, bool colour);

// A GitHub-flavoured Markdown table; '|' in cells escaped, summary rows in bold.
std::string render_markdown(const Layout& layout);

// Width on a terminal: UTF-8 code points.
std::size_t display_width(const std::string& text);

}  // namespace parbench::compare
