#include "schema/text.hpp"

namespace parbench::schema {

std::string printable(const std::string& text, std::size_t most) {
  std::string clean;
  for (const char c : text.substr(0, most)) {
    const auto u = static_cast<unsigned char>(c);
    clean += u < 0x20 || u == 0x7f ? '?' : c;
  }
  return text.size() > most ? clean + "..." : clean;
}

std::string joined(const std::vector<std::string>& parts, const std::string& last) {
  std::string text;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) text += i + 1 == parts.size() ? last : ", ";
    text += parts[i];
  }
  return text;
}

}  // namespace parbench::schema
