#include "tools/compare/layout.hpp"

#include <algorithm>

#include "schema/text.hpp"

namespace parbench::compare {

namespace {

const char* colour_code(Style style) {
  switch (style) {
    case Style::good:
      return "\033[32m";
    case Style::bad:
      return "\033[31m";
    case Style::unsure:
      return "\033[33m";
    case Style::error:
      return "\033[1;31m";
    case Style::plain:
      break;
  }
  return "";
}

// Control characters (a name in a report may hold anything) would garble a terminal; a table
// shows the whole name.
std::string printable(const std::string& text) {
  return schema::printable(text, std::string::npos);
}

std::string pad(const std::string& text, std::size_t width, bool right) {
  const std::size_t w = display_width(text);
  const std::string fill(width > w ? width - w : 0, ' ');
  return right ? fill + text : text + fill;
}

}  // namespace

std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string render_text(const Layout& layout, bool colour) {
  const std::size_t columns = layout.header.size();
  std::vector<std::size_t> width(columns, 0);
  for (std::size_t c = 0; c < columns; ++c) width[c] = display_width(printable(layout.header[c]));
  for (const auto& row : layout.rows)
    for (std::size_t c = 0; c < columns && c < row.size(); ++c)
      width[c] = std::max(width[c], display_width(printable(row[c].text)));
  std::size_t total = 0;
  for (const std::size_t w : width) total += w;
  total += columns > 0 ? 2 * (columns - 1) : 0;
  auto right = [&](std::size_t c) {
    return c < layout.right_aligned.size() && layout.right_aligned[c];
  };

  std::string out;
  auto line = [&](const std::vector<LayoutCell>& cells) {
    std::string text;
    for (std::size_t c = 0; c < columns; ++c) {
      const LayoutCell cell = c < cells.size() ? cells[c] : LayoutCell{};
      std::string padded = pad(printable(cell.text), width[c], right(c));
      if (c + 1 == columns && !right(c)) padded = printable(cell.text);  // no trailing blanks
      if (colour && cell.style != Style::plain && !cell.text.empty())
        padded = colour_code(cell.style) + padded + "\033[0m";
      if (c > 0) text += "  ";
      text += padded;
    }
    out += text + "\n";
  };
  std::vector<LayoutCell> header;
  for (const auto& h : layout.header) header.push_back({h, Style::plain});
  line(header);
  out += std::string(total, '-') + "\n";
  for (std::size_t r = 0; r < layout.rows.size(); ++r) {
    if (r == layout.summary_from) out += std::string(total, '-') + "\n";
    line(layout.rows[r]);
  }
  return out;
}

std::string render_markdown(const Layout& layout) {
  auto escape = [](const std::string& text) {
    std::string out;
    for (const char c : printable(text)) {
      if (c == '|' || c == '*') out += '\\';
      out += c;
    }
    return out;
  };
  std::string out = "|";
  for (const auto& h : layout.header) {
    out += ' ';
    out += escape(h);
    out += " |";
  }
  out += "\n|";
  for (std::size_t c = 0; c < layout.header.size(); ++c)
    out += c < layout.right_aligned.size() && layout.right_aligned[c] ? "---:|" : "---|";
  out += "\n";
  for (std::size_t r = 0; r < layout.rows.size(); ++r) {
    out += "|";
    const bool bold = r >= layout.summary_from;
    for (std::size_t c = 0; c < layout.header.size(); ++c) {
      const std::string text = c < layout.rows[r].size() ? escape(layout.rows[r][c].text) : "";
      out += ' ';
      if (bold && !text.empty()) out += "**";
      out += text;
      if (bold && !text.empty()) out += "**";
      out += " |";
    }
    out += "\n";
  }
  return out;
}

}  // namespace parbench::compare
