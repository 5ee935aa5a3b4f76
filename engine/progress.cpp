#include "engine/progress.hpp"

#include <regex.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace parbench {

std::string format_duration(double seconds) {
  const long s = seconds < 0 ? 0 : static_cast<long>(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  return text;
}

std::vector<std::string> selected_names(const std::vector<std::string>& names,
                                        const std::string& filter) {
  if (filter.empty() || filter == "all" || filter == ".") return names;
  const bool negate = filter[0] == '-';
  regex_t re;
  if (regcomp(&re, filter.c_str() + (negate ? 1 : 0), REG_EXTENDED | REG_NOSUB) != 0) return names;
  std::vector<std::string> selected;
  for (const auto& name : names)
    if ((regexec(&re, name.c_str(), 0, nullptr, 0) == 0) != negate) selected.push_back(name);
  regfree(&re);
  return selected;
}

Progress::Progress(std::size_t total, bool terminal) : total_(total), terminal_(terminal) {}

void Progress::clear_line() {
  if (line_shown_) std::fputs("\r\033[K", stderr);
  line_shown_ = false;
}

void Progress::expect(std::map<std::string, double> seconds, unsigned fewest_repetitions) {
  expected_ = std::move(seconds);
  fewest_repetitions_ = std::max(1u, fewest_repetitions);
  expected_total_ = 0;
  for (const auto& [name, s] : expected_) expected_total_ += s;
}

double Progress::seconds_left() const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (done_ >= total_) return 0;
  double done = expected_done_;
  for (const auto& [name, seconds] : partly_done_) done += seconds;
  if (done > 0 && expected_total_ > done) {
    // How this run compares with the model, trusted as much as the run has advanced: the
    // first benchmarks (the launch costs) are too few and too unlike the rest to scale by.
    const double advanced = done / expected_total_;
    const double scale = 1 + (elapsed / done - 1) * advanced;
    return (expected_total_ - done) * scale;
  }
  return elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_);
}

void Progress::repeated(const std::string& name, unsigned repetitions) {
  auto it = expected_.find(name);
  if (it == expected_.end()) return;
  // Never all of it: how many more repetitions it takes is not known until it finishes.
  constexpr double kMostBeforeTheEnd = 0.8;
  partly_done_[name] =
      it->second * std::min(kMostBeforeTheEnd, static_cast<double>(repetitions) /
                                                   static_cast<double>(fewest_repetitions_));
}

void Progress::finished(const std::string& name) {
  ++done_;
  partly_done_.erase(name);
  if (auto it = expected_.find(name); it != expected_.end()) expected_done_ += it->second;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double left = seconds_left();
  std::fprintf(stderr, "%s[%zu/%zu] %s  elapsed %s, about %s left%s", terminal_ ? "\r\033[K" : "",
               done_, total_, name.c_str(), format_duration(elapsed).c_str(),
               format_duration(left).c_str(), terminal_ ? "" : "\n");
  std::fflush(stderr);
  line_shown_ = terminal_;
}

void Progress::end() {
  clear_line();
}

}  // namespace parbench
