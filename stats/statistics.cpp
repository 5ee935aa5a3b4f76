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

namespace {

// The pooled sample's rank sum of the first sample (ties get their average rank) and the tie
// term sum(t^3 - t) over groups of t equal values.
struct Ranks {
  double rank_sum_a = 0;
  double tie_term = 0;
};

Ranks rank(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<std::pair<double, bool>> all;  // value, from the first sample
  all.reserve(a.size() + b.size());
  for (const double v : a) all.emplace_back(v, true);
  for (const double v : b) all.emplace_back(v, false);
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  Ranks r;
  for (std::size_t i = 0, n = all.size(); i < n;) {
    std::size_t j = i;
    while (j < n && all[j].first == all[i].first) ++j;
    const double t = static_cast<double>(j - i);
    const double average = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k)
      if (all[k].second) r.rank_sum_a += average;
    r.tie_term += t * t * t - t;
    i = j;
  }
  return r;
}

// Two-sided p of U = max(U1, U2) by the normal approximation, corrected for ties and for
// continuity (scipy's _get_mwu_z).
double asymptotic_p(double u, std::size_t n1, std::size_t n2, double tie_term) {
  const double m1 = static_cast<double>(n1), m2 = static_cast<double>(n2);
  const double total = m1 + m2;
  const double sigma = std::sqrt(m1 * m2 / 12 * ((total + 1) - tie_term / (total * (total - 1))));
  if (!(sigma > 0)) return 1;  // all values equal
  return std::clamp(2 * normal_sf((u - m1 * m2 / 2 - 0.5) / sigma), 0.0, 1.0);
}

}  // namespace

double mann_whitney_exact_sf(std::size_t u, std::size_t n1, std::size_t n2) {
  const std::size_t m = std::min(n1, n2), n = std::max(n1, n2);  // U's law is symmetric in them
  if (u == 0) return 1;
  if (u > m * n) return 0;
  // By symmetry P(U >= u) = P(U <= m n - u): only the lower tail up to `top` is needed.
  const std::size_t top = m * n - u;
  // p[i][k] = P(U = k) for samples of i and j values, j growing from 0 to n. The largest of
  // the i + j values is from the first sample with probability i / (i + j), and then it
  // outnumbers all j values of the second: P_ij(k) = i/(i+j) P_(i-1)j(k-j) + j/(i+j) P_i(j-1)(k)
  // (Mann and Whitney 1947). Probabilities rather than counts: every term is a sum of
  // non-negative terms, and nothing overflows for large samples.
  std::vector<std::vector<double>> p(m + 1, std::vector<double>(top + 1, 0.0));
  for (auto& row : p) row[0] = 1;  // with no value in the second sample U is 0
  for (std::size_t j = 1; j <= n; ++j)
    for (std::size_t i = 1; i <= m; ++i) {
      const double from_first = static_cast<double>(i) / static_cast<double>(i + j);
      const double from_second = static_cast<double>(j) / static_cast<double>(i + j);
      for (std::size_t k = top + 1; k-- > 0;)
        p[i][k] = from_second * p[i][k] + (k >= j ? from_first * p[i - 1][k - j] : 0.0);
    }
  double lower_tail = 0;
  for (const double probability : p[m]) lower_tail += probability;
  return std::min(lower_tail, 1.0);
}

bool exact_u_test_applies(std::size_t n1, std::size_t n2) {
  return std::min(n1, n2) <= kExactUTestSmallSample && std::max(n1, n2) <= kExactUTestLargeSample;
}

UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b, UMethod method) {
  const std::size_t n1 = a.size(), n2 = b.size();
  if (n1 == 0 || n2 == 0) return {};
  const Ranks r = rank(a, b);
  const double m1 = static_cast<double>(n1), m2 = static_cast<double>(n2);
  const double u1 = r.rank_sum_a - m1 * (m1 + 1) / 2;
  const double u = std::max(u1, m1 * m2 - u1);
  const bool exact = method == UMethod::exact || (method == UMethod::automatic && r.tie_term == 0 &&
                                                  exact_u_test_applies(n1, n2));
  if (!exact) return {u1, asymptotic_p(u, n1, n2, r.tie_term), false};
  const double sf = mann_whitney_exact_sf(static_cast<std::size_t>(u), n1, n2);  // floor, as scipy
  return {u1, std::clamp(2 * sf, 0.0, 1.0), true};
}

double smallest_p_value(std::size_t n1, std::size_t n2) {
  if (n1 == 0 || n2 == 0) return 1;
  // Fully separated samples: U = n1 n2, and the exact P(U >= n1 n2) = 1 / C(n1 + n2, n1).
  if (exact_u_test_applies(n1, n2))
    return std::min(1.0, 2 * mann_whitney_exact_sf(n1 * n2, n1, n2));
  return asymptotic_p(static_cast<double>(n1 * n2), n1, n2, 0);
}

}  // namespace parbench
