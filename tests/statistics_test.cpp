// Statistics of parbench-compare against textbook values and scipy 1.10.1:
// scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='asymptotic').
#include "stats/statistics.hpp"

#include <gtest/gtest.h>

namespace parbench {
namespace {

// The sign test's interval, against plots/parbench/stats.py and the binomial distribution.
TEST(MedianInterval, CoverageOfOrderStatistics) {
  EXPECT_DOUBLE_EQ(order_statistic_coverage(5, 1), 1 - 2.0 / 32);
  EXPECT_DOUBLE_EQ(order_statistic_coverage(6, 1), 1 - 2.0 / 64);
  EXPECT_DOUBLE_EQ(order_statistic_coverage(9, 2), 1 - 2.0 * 10 / 512);
  EXPECT_EQ(fewest_values_for_interval(0.95), 6u);
  EXPECT_NEAR(order_statistic_coverage(2000, 1), 1, 1e-12);  // no overflow for many values
}

TEST(MedianInterval, NarrowestThatHoldsTheConfidence) {
  const auto six = median_interval({6, 1, 5, 2, 4, 3});
  ASSERT_TRUE(six.has_value());
  EXPECT_EQ(six->low, 1);
  EXPECT_EQ(six->high, 6);
  EXPECT_TRUE(six->reaches_confidence());
  const auto nine = median_interval({9, 8, 7, 6, 5, 4, 3, 2, 1});
  EXPECT_EQ(nine->low, 2);  // k = 2 from 9 values
  EXPECT_EQ(nine->high, 8);
  std::vector<double> twelve;
  for (int i = 1; i <= 12; ++i) twelve.push_back(i);
  EXPECT_EQ(median_interval(twelve)->low, 3);  // k = 3 from 12 values
  EXPECT_EQ(median_interval(twelve)->high, 10);
}

TEST(MedianInterval, TooFewValuesGiveTheRangeAndSaySo) {
  const auto five = median_interval({3, 1, 2, 5, 4});
  EXPECT_EQ(five->low, 1);
  EXPECT_EQ(five->high, 5);
  EXPECT_FALSE(five->reaches_confidence());
  EXPECT_DOUBLE_EQ(five->coverage, 0.9375);
  EXPECT_EQ(median_interval({7})->low, 7);
  EXPECT_FALSE(median_interval({}).has_value());
}

TEST(Median, OddEvenAndEmpty) {
  EXPECT_EQ(median({3, 1, 2}), 2);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(median({7}), 7);
  EXPECT_FALSE(median({}).has_value());
}

TEST(GeometricMean, KnownValuesAndNonPositive) {
  EXPECT_NEAR(*geometric_mean({1, 4}), 2, 1e-12);
  EXPECT_NEAR(*geometric_mean({2, 8, 4}), 4, 1e-12);
  EXPECT_FALSE(geometric_mean({}).has_value());
  EXPECT_FALSE(geometric_mean({1, 0}).has_value());
  EXPECT_FALSE(geometric_mean({1, -2}).has_value());
}

TEST(NormalSf, TextbookValues) {
  EXPECT_NEAR(normal_sf(0), 0.5, 1e-15);
  EXPECT_NEAR(normal_sf(1.959963984540054), 0.025, 1e-12);
  EXPECT_NEAR(normal_sf(-1.6448536269514722), 0.95, 1e-12);
}

struct UCase {
  std::vector<double> a, b;
  double u, p;  // scipy 1.10.1
};

class MannWhitney : public ::testing::TestWithParam<UCase> {};

TEST_P(MannWhitney, MatchesScipyAsymptotic) {
  const auto& c = GetParam();
  const UTest t = mann_whitney_u(c.a, c.b);
  EXPECT_DOUBLE_EQ(t.u, c.u);
  EXPECT_NEAR(t.p, c.p, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(
    Scipy, MannWhitney,
    ::testing::Values(
        UCase{{1, 2, 3}, {4, 5, 6}, 0.0, 0.08085559837005224},
        UCase{{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, 0.0, 0.012185780355344813},
        // Ties between the samples.
        UCase{{1.1, 2.2, 3.3, 4.4}, {2.2, 3.3, 5.5, 6.6, 7.7}, 4.0, 0.17427702137934575},
        UCase{{5, 5, 5}, {5, 5, 5}, 4.5, 1.0}, UCase{{1, 2}, {3, 4}, 0.0, 0.2452781168067728},
        UCase{{3.1, 2.7, 3.3, 2.9, 3.0, 3.2}, {3.4, 3.0, 3.6, 3.5, 3.8}, 3.5, 0.04412556954959262},
        UCase{{1, 1, 2, 2, 3}, {2, 3, 3, 4, 4, 4}, 3.0, 0.030423784148462706}));

TEST(MannWhitneyU, SymmetricInItsSamples) {
  const std::vector<double> a = {1, 1, 2, 2, 3}, b = {2, 3, 3, 4, 4, 4};
  EXPECT_DOUBLE_EQ(mann_whitney_u(a, b).p, mann_whitney_u(b, a).p);
  EXPECT_DOUBLE_EQ(mann_whitney_u(b, a).u, 5.0 * 6.0 - 3.0);  // U2 = n1 n2 - U1
}

TEST(MannWhitneyU, EmptySampleIsNotSignificant) {
  EXPECT_EQ(mann_whitney_u({}, {1, 2}).p, 1);
}

TEST(SmallestPValue, ThreeAgainstThreeCannotReachFivePercent) {
  EXPECT_NEAR(smallest_p_value(3, 3), 0.08085559837005224, 1e-12);  // as U test {1,2,3}/{4,5,6}
  EXPECT_GT(smallest_p_value(3, 3), 0.05);
  EXPECT_LT(smallest_p_value(4, 4), 0.05);
  EXPECT_NEAR(smallest_p_value(5, 5), 0.012185780355344813, 1e-12);
  EXPECT_EQ(smallest_p_value(1, 0), 1);
  EXPECT_EQ(smallest_p_value(1, 1), 1);
}

}  // namespace
}  // namespace parbench
