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

// How the U test finds its p-value.
enum class UMethod {
  // scipy's default (method='auto'), and so Google Benchmark's compare.py: exact when a sample
  // has at most kExactUTestSmallSample values and no value occurs twice, else asymptotic. One
  // addition: a sample of more than kExactUTestLargeSample values is asymptotic whatever the
  // other, so that the exact distribution's cost stays small (the approximation is close there).
  automatic,
  exact,       // the null distribution of U, counted; assumes no ties (U is rounded down, as scipy)
  asymptotic,  // the normal approximation, corrected for ties and for continuity
};

inline constexpr std::size_t kExactUTestSmallSample = 8;
inline constexpr std::size_t kExactUTestLargeSample = 1000;

struct UTest {
  double u = 0;        // U statistic of the first sample: its rank sum less n1(n1+1)/2
  double p = 1;        // two-sided p-value
  bool exact = false;  // p is from the exact distribution, not the normal approximation
};

// Two-sided Mann-Whitney U test: the same as scipy.stats.mannwhitneyu(a, b,
// alternative='two-sided', method=...) for method 'auto', 'exact' and 'asymptotic' (scipy 1.10.1;
// see UMethod for the one difference of 'auto'). Both samples must have at least one value. All
// values equal gives p = 1.
UTest mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b,
                     UMethod method = UMethod::automatic);

// P(U >= u) for samples of n1 and n2 values without ties, under the null hypothesis (every
// order of the n1 + n2 values equally likely). Its cost grows as n1 n2 min(n1, n2) (n1 n2 - u).
double mann_whitney_exact_sf(std::size_t u, std::size_t n1, std::size_t n2);

// Whether the automatic method counts the exact distribution for samples of these sizes (and
// no ties).
bool exact_u_test_applies(std::size_t n1, std::size_t n2);

// The smallest p-value the automatic test can give for samples of these sizes (no ties, fully
// separated). When it is not below the significance level, the test cannot tell anything.
double smallest_p_value(std::size_t n1, std::size_t n2);

// P(Z > z) for a standard normal Z.
double normal_sf(double z);

}  // namespace parbench
