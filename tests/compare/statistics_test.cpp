// Statistics of parbench-compare against textbook values and scipy 1.10.1:
// scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='asymptotic').
#include "tools/compare/statistics.hpp"

#include <gtest/gtest.h>

namespace parbench::compare {
namespace {

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
}  // namespace parbench::compare
