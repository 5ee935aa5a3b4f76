// Statistics of parbench-compare against textbook values and scipy 1.10.1 (Debian's python3-scipy):
// every expected U and p below is what
//   /usr/bin/python3 -c "from scipy.stats import mannwhitneyu; print(mannwhitneyu(a, b,
//                        alternative='two-sided', method=M))"
// printed for the samples a, b of the case, with M as the test says ('asymptotic', 'exact', or
// the default 'auto').
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
  const UTest t = mann_whitney_u(c.a, c.b, UMethod::asymptotic);
  EXPECT_DOUBLE_EQ(t.u, c.u);
  EXPECT_NEAR(t.p, c.p, 1e-12);
  EXPECT_FALSE(t.exact);
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

// method='exact': the null distribution of U counted, for samples without ties.
class MannWhitneyExact : public ::testing::TestWithParam<UCase> {};

TEST_P(MannWhitneyExact, MatchesScipyExact) {
  const auto& c = GetParam();
  const UTest t = mann_whitney_u(c.a, c.b, UMethod::exact);
  EXPECT_DOUBLE_EQ(t.u, c.u);
  EXPECT_NEAR(t.p, c.p, 1e-12);
  EXPECT_NEAR(t.p, c.p, 5e-4);  // the promise: scipy's value to 3 decimals
  EXPECT_TRUE(t.exact);
}

const std::vector<double> kNineA = {1.1, 2.3, 3.2, 4.8, 5.5, 6.1, 7.7, 8.4, 9.9};
const std::vector<double> kNineB = {2.0, 3.9, 5.1, 6.6, 7.2, 8.8, 9.1, 10.5, 11.3};
const std::vector<double> kNineLow = {10.5, 11.2, 10.9, 11.8, 10.1, 12.3, 11.4, 10.7, 11.0};
const std::vector<double> kNineHigh = {11.9, 12.6, 12.2, 13.1, 11.6, 12.8, 13.4, 12.0, 12.9};
const std::vector<double> kFiveA = {10.2, 11.5, 9.8, 12.1, 10.9};
const std::vector<double> kThreeB = {12.4, 13.0, 11.8};

INSTANTIATE_TEST_SUITE_P(
    Scipy, MannWhitneyExact,
    ::testing::Values(
        // 3 against 3: fully separated (1 / C(6, 3) each way), then interleaved.
        UCase{{1, 2, 3}, {4, 5, 6}, 0.0, 0.1}, UCase{{1.0, 4.0, 2.5}, {3.0, 5.0, 6.0}, 1.0, 0.2},
        // 5 against 3, and 3 against 5: U is the first sample's, p the same.
        UCase{kFiveA, kThreeB, 1.0, 0.07142857142857142},
        UCase{kThreeB, kFiveA, 14.0, 0.07142857142857142},
        // 9 against 9, overlapping and nearly separated.
        UCase{kNineA, kNineB, 27.0, 0.258083093377211},
        UCase{kNineLow, kNineHigh, 5.0, 0.0007815713698066638},
        UCase{{1, 2, 3, 4, 5, 6, 7, 8, 9},
              {10, 11, 12, 13, 14, 15, 16, 17, 18},
              0.0,
              4.113533525298231e-05},
        // 8 against 20: the small sample against a larger one.
        UCase{{0, 1, 2, 3, 4, 5, 6, 7},
              {5.5,  6.5,  7.5,  8.5,  9.5,  10.5, 11.5, 12.5, 13.5, 14.5,
               15.5, 16.5, 17.5, 18.5, 19.5, 20.5, 21.5, 22.5, 23.5, 24.5},
              3.0,
              4.504352330439287e-06}));

// The default: scipy's method='auto' (what Google Benchmark's compare.py gets).
TEST(MannWhitneyU, AutomaticIsExactForSmallSamplesWithoutTies) {
  UTest t = mann_whitney_u({1, 2, 3}, {4, 5, 6});
  EXPECT_TRUE(t.exact);
  EXPECT_NEAR(t.p, 0.1, 1e-12);
  t = mann_whitney_u(kFiveA, kThreeB);
  EXPECT_TRUE(t.exact);
  EXPECT_NEAR(t.p, 0.07142857142857142, 1e-12);
}

TEST(MannWhitneyU, AutomaticIsAsymptoticWhenBothSamplesHaveMoreThanEight) {
  UTest t = mann_whitney_u(kNineA, kNineB);
  EXPECT_FALSE(t.exact);
  EXPECT_NEAR(t.p, 0.25099827044292256, 1e-12);
  t = mann_whitney_u(kNineLow, kNineHigh);
  EXPECT_FALSE(t.exact);
  EXPECT_NEAR(t.p, 0.0019976900972723025, 1e-12);
}

TEST(MannWhitneyU, AutomaticIsAsymptoticWithTies) {
  // A tie between the samples, and one within a sample.
  UTest t = mann_whitney_u({1.1, 2.2, 3.3, 4.4}, {2.2, 3.3, 5.5, 6.6, 7.7});
  EXPECT_FALSE(t.exact);
  EXPECT_NEAR(t.p, 0.17427702137934575, 1e-12);
  t = mann_whitney_u({1, 1, 2, 2, 3}, {2, 3, 3, 4, 4, 4});
  EXPECT_FALSE(t.exact);
  EXPECT_NEAR(t.p, 0.030423784148462706, 1e-12);
}

TEST(MannWhitneyU, AutomaticIsAsymptoticAgainstAVeryLargeSample) {
  std::vector<double> large;
  for (std::size_t i = 0; i <= kExactUTestLargeSample; ++i) large.push_back(static_cast<double>(i));
  EXPECT_FALSE(mann_whitney_u({0.5, 1.5, 2.5}, large).exact);
  large.pop_back();
  EXPECT_TRUE(mann_whitney_u({0.5, 1.5, 2.5}, large).exact);
}

TEST(MannWhitneyExactSf, WholeDistribution) {
  // 2 against 2: U takes 0, 1, 2, 2, 3, 4 over the C(4, 2) = 6 orders.
  EXPECT_DOUBLE_EQ(mann_whitney_exact_sf(0, 2, 2), 1);
  EXPECT_DOUBLE_EQ(mann_whitney_exact_sf(1, 2, 2), 5.0 / 6);
  EXPECT_DOUBLE_EQ(mann_whitney_exact_sf(2, 2, 2), 4.0 / 6);
  EXPECT_DOUBLE_EQ(mann_whitney_exact_sf(3, 2, 2), 2.0 / 6);
  EXPECT_DOUBLE_EQ(mann_whitney_exact_sf(4, 2, 2), 1.0 / 6);
  EXPECT_EQ(mann_whitney_exact_sf(5, 2, 2), 0);
  EXPECT_DOUBLE_EQ(mann_whitney_exact_sf(7, 7, 1), 1.0 / 8);  // one value among 8: uniform
  EXPECT_DOUBLE_EQ(mann_whitney_exact_sf(7, 1, 7), 1.0 / 8);
}

TEST(MannWhitneyU, SymmetricInItsSamples) {
  const std::vector<double> a = {1, 1, 2, 2, 3}, b = {2, 3, 3, 4, 4, 4};
  EXPECT_DOUBLE_EQ(mann_whitney_u(a, b).p, mann_whitney_u(b, a).p);
  EXPECT_DOUBLE_EQ(mann_whitney_u(b, a).u, 5.0 * 6.0 - 3.0);  // U2 = n1 n2 - U1
  EXPECT_DOUBLE_EQ(mann_whitney_u(kNineA, kThreeB).p, mann_whitney_u(kThreeB, kNineA).p);
}

TEST(MannWhitneyU, EmptySampleIsNotSignificant) {
  EXPECT_EQ(mann_whitney_u({}, {1, 2}).p, 1);
}

TEST(SmallestPValue, ThreeAgainstThreeCannotReachFivePercent) {
  EXPECT_NEAR(smallest_p_value(3, 3), 0.1, 1e-12);  // exact, as U test {1,2,3}/{4,5,6}
  EXPECT_GT(smallest_p_value(3, 3), 0.05);
  EXPECT_NEAR(smallest_p_value(4, 4), 0.02857142857142857, 1e-12);  // 2 / C(8, 4)
  EXPECT_NEAR(smallest_p_value(3, 5), 2.0 / 56, 1e-12);
  EXPECT_NEAR(smallest_p_value(9, 9), 0.00041229480206169127, 1e-12);  // asymptotic
  EXPECT_NEAR(smallest_p_value(10, 10), 0.00018267179110955002, 1e-12);
  EXPECT_EQ(smallest_p_value(1, 0), 1);
  EXPECT_EQ(smallest_p_value(1, 1), 1);
}

}  // namespace
}  // namespace parbench
