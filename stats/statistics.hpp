#pragma once
// The statistics the harness and parbench-compare share: the median and its distribution-free
// interval, the geometric mean, the Mann-Whitney U test. plots/parbench/stats.py computes the
// median and its interval the same way.
#include <cstddef>
#include <optional>
#include <vector>

namespace parbench {

// Median of the values (the mean of the middle two for an even count); nullopt when empty.
std::optional<double> median(std::vector<double> values);

// The probability that [x(rank), x(count - rank + 1)] (1-based order statistics of `count`
// independent values) holds the true median: 1 - 2 P(B <= rank - 1), B ~ binomial(count, 1/2).
double order_statistic_coverage(std::size_t count, std::size_t rank);

// A distribution-free interval of the median (the sign test's): [x(k), x(n - k + 1)] with the
// largest k whose coverage is at least `confidence`. With too few values for that (fewer than
// 6 for 95%) it is the whole range, and `coverage` says how much less it holds.
struct MedianInterval {
  double low = 0;
  double high = 0;
  double coverage = 0;    // the probability that it holds the true median
  double confidence = 0;  // what was asked
  bool reaches_confidence() const { return coverage >= confidence; }
};
std::optional<MedianInterval> median_interval(std::vector<double> values, double confidence = 0.95);

// The fewest values whose order statistics give an interval of the median at `confidence`.
std::size_t fewest_values_for_interval(double confidence = 0.95);

// exp(mean(log x)); nullopt when empty or when any value is not positive.
std::optional<double> geometric_mean(const std::vector<double>& values);

struct UTest {
  double u = 0;  // U statistic of the first sample: its rank sum less n1(n1+1)/2
  double p = 1;  // two-sided p-value
};

// Two-sided Mann-Whitney U test, with the normal approximation corrected for ties and for
// continuity: the same as scipy.stats.mannwhitneyu(a, b, alternative='two-sided',
// method='asymptotic'), which Google Benchmark's compare.py relies on. Both samples must have
// at least one value. All values equal gives p = 1.
UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b);

// The smallest p-value the test above can give for samples of these sizes (no ties, fully
// separated). When it is not below the significance level, the test cannot tell anything.
double smallest_p_value(std::size_t n1, std::size_t n2);

// P(Z > z) for a standard normal Z.
double normal_sf(double z);

}  // namespace parbench
