#include "stats/statistics.hpp"

#include <algorithm>
#include <cmath>

namespace parbench {

std::optional<double> median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return lower + (upper - lower) / 2;
}

std::optional<double> geometric_mean(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  double log_sum = 0;
  for (const double v : values) {
    if (!(v > 0) || !std::isfinite(v)) return std::nullopt;
    log_sum += std::log(v);
  }
  return std::exp(log_sum / static_cast<double>(values.size()));
}

double order_statistic_coverage(std::size_t count, std::size_t rank) {
  // Sum of C(count, i) / 2^count for i < rank, term by term to stay finite for any count.
  double term = std::exp2(-static_cast<double>(count));  // C(count, 0) / 2^count
  double below = 0;
  for (std::size_t i = 0; i < rank && i <= count; ++i) {
    below += term;
    term *= static_cast<double>(count - i) / static_cast<double>(i + 1);
  }
  return 1 - 2 * below;
}

std::optional<MedianInterval> median_interval(std::vector<double> values, double confidence) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  std::size_t rank = 1;
  while (rank + 1 <= n / 2 && order_statistic_coverage(n, rank + 1) >= confidence) ++rank;
  MedianInterval i;
  i.low = values[rank - 1];
  i.high = values[n - rank];
  i.coverage = order_statistic_coverage(n, rank);
  i.confidence = confidence;
  return i;
}

std::size_t fewest_values_for_interval(double confidence) {
  std::size_t n = 1;
  while (order_statistic_coverage(n, 1) < confidence) ++n;
  return n;
}

double normal_sf(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n1 = a.size(), n2 = b.size(), n = n1 + n2;
  if (n1 == 0 || n2 == 0) return {};
  std::vector<std::pair<double, bool>> all;  // value, from the first sample
  all.reserve(n);
  for (const double v : a) all.emplace_back(v, true);
  for (const double v : b) all.emplace_back(v, false);
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  double rank_sum_a = 0, tie_term = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && all[j].first == all[i].first) ++j;
    const double t = static_cast<double>(j - i);
    const double rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;  // average
    for (std::size_t k = i; k < j; ++k)
      if (all[k].second) rank_sum_a += rank;
    tie_term += t * t * t - t;
    i = j;
  }
  const double m1 = static_cast<double>(n1), m2 = static_cast<double>(n2);
  const double total = static_cast<double>(n);
  const double u1 = rank_sum_a - m1 * (m1 + 1) / 2;
  const double u2 = m1 * m2 - u1;
  const double mu = m1 * m2 / 2;
  const double sigma = std::sqrt(m1 * m2 / 12 * ((total + 1) - tie_term / (total * (total - 1))));
  const double u = std::max(u1, u2);
  double p = 1;
  if (sigma > 0) p = std::clamp(2 * normal_sf((u - mu - 0.5) / sigma), 0.0, 1.0);
  return {u1, p};
}

double smallest_p_value(std::size_t n1, std::size_t n2) {
  if (n1 == 0 || n2 == 0) return 1;
  const double m1 = static_cast<double>(n1), m2 = static_cast<double>(n2);
  const double sigma = std::sqrt(m1 * m2 * (m1 + m2 + 1) / 12);  // no ties
  return std::clamp(2 * normal_sf((m1 * m2 / 2 - 0.5) / sigma), 0.0, 1.0);
}

}  // namespace parbench
