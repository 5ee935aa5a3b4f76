#pragma once
// The few statistics parbench-compare needs: median, geometric mean and the Mann-Whitney U test.
#include <cstddef>
#include <optional>
#include <vector>

namespace parbench::compare {

// Median of the values (the mean of the middle two for an even count); nullopt when empty.
std::optional<double> median(std::vector<double> values);

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

}  // namespace parbench::compare
