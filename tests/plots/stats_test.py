#!/usr/bin/env python3
"""Tests of what a figure draws for a run (plots/parbench/stats.py): the median of the
repetitions, as parbench-compare computes it, and the order-statistic confidence interval of
that median. Standard library only, like the module:

  python3 tests/plots/stats_test.py
"""

import math
import os
import random
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77  # ctest's SKIP_RETURN_CODE for the plots tests

if sys.version_info < (3, 8):  # before the import: the package needs 3.8 to load at all
    print(f"SKIP: Python {sys.version.split()[0]} is older than 3.8")
    sys.exit(SKIP)

sys.path.insert(0, os.path.join(HERE, "..", "..", "plots"))

from parbench import stats  # noqa: E402  (after the path is set)


def shuffled(values, seed=1):
    values = list(values)
    random.Random(seed).shuffle(values)
    return values


class Median(unittest.TestCase):
    def test_middle_value_or_halfway_between_the_middle_two(self):
        self.assertIsNone(stats.median([]))
        self.assertEqual(stats.median([7.0]), 7.0)
        self.assertEqual(stats.median([3.0, 1.0, 2.0]), 2.0)
        self.assertEqual(stats.median([4.0, 1.0, 3.0, 2.0]), 2.5)
        self.assertEqual(stats.median(shuffled(range(1, 101))), 50.5)

    def test_halfway_as_compare_writes_it(self):
        # lower + (upper - lower) / 2, as stats/statistics.cpp: (lower + upper) / 2
        # would overflow here.
        self.assertEqual(stats.median([1e308, 1.7e308]), 1.35e308)
        self.assertEqual(stats.median([0.1, 0.7]), 0.1 + (0.7 - 0.1) / 2)


class OrderStatistics(unittest.TestCase):
    def test_coverage_from_the_binomial_distribution(self):
        # [x(k), x(n-k+1)] misses the median when fewer than k values fall on one side of it:
        # 1 - 2 P(B <= k - 1), B ~ binomial(n, 1/2).
        self.assertEqual(stats.order_statistic_coverage(5, 1), 1 - 2 / 2 ** 5)  # 0.9375
        self.assertEqual(stats.order_statistic_coverage(6, 1), 0.96875)
        self.assertEqual(stats.order_statistic_coverage(9, 2), 1 - 2 * (1 + 9) / 2 ** 9)
        self.assertEqual(stats.order_statistic_coverage(4, 2), 1 - 2 * (1 + 4) / 2 ** 4)

    def test_no_95_percent_interval_below_six_values(self):
        # Even the whole range of 5 values covers the median with probability 0.9375 only.
        for count in range(1, 6):
            self.assertIsNone(stats.median_rank(count), count)
        self.assertEqual(stats.fewest_repetitions(), 6)

    def test_ranks_of_the_95_percent_interval(self):
        expected = {6: 1, 7: 1, 8: 1, 9: 2, 10: 2, 11: 2, 12: 3, 13: 3, 14: 3, 15: 4,
                    20: 6}  # n = 20: the 6th and the 15th value, as tables of the sign test
        for count, rank in expected.items():
            self.assertEqual(stats.median_rank(count), rank, count)

    def test_the_rank_is_the_narrowest_that_reaches_95_percent(self):
        for count in range(6, 200):
            rank = stats.median_rank(count)
            self.assertGreaterEqual(stats.order_statistic_coverage(count, rank), 0.95)
            if rank + 1 <= count // 2:
                self.assertLess(stats.order_statistic_coverage(count, rank + 1), 0.95)

    def test_other_confidence_levels(self):
        self.assertEqual(stats.median_rank(5, confidence=0.9), 1)
        self.assertEqual(stats.median_rank(20, confidence=0.99), 4)  # P(B <= 4) = 0.0059
        self.assertEqual(stats.fewest_repetitions(0.99), 8)


class MedianInterval(unittest.TestCase):
    def test_five_values_give_their_range_at_93_75_percent(self):
        found = stats.median_interval(shuffled([5.0, 1.0, 4.0, 2.0, 3.0]))
        self.assertEqual(found, stats.Interval(1.0, 5.0, 0.9375))

    def test_fewer_values_give_their_range_with_its_coverage(self):
        self.assertIsNone(stats.median_interval([]))
        self.assertEqual(stats.median_interval([2.0]), stats.Interval(2.0, 2.0, 0.0))
        self.assertEqual(stats.median_interval([3.0, 1.0]), stats.Interval(1.0, 3.0, 0.5))
        self.assertEqual(stats.median_interval([3.0, 1.0, 2.0]), stats.Interval(1.0, 3.0, 0.75))
        self.assertEqual(stats.median_interval([4.0, 3.0, 1.0, 2.0]).coverage, 0.875)

    def test_six_values_give_their_range_at_95_percent(self):
        found = stats.median_interval(shuffled(range(1, 7)))
        self.assertEqual((found.low, found.high), (1, 6))
        self.assertGreaterEqual(found.coverage, 0.95)

    def test_more_values_give_inner_order_statistics(self):
        found = stats.median_interval(shuffled(range(1, 10)))  # x(2), x(8) of 9
        self.assertEqual((found.low, found.high), (2, 8))
        found = stats.median_interval(shuffled(range(1, 21)))  # x(6), x(15) of 20
        self.assertEqual((found.low, found.high), (6, 15))

    def test_the_interval_holds_the_median(self):
        rng = random.Random(7)
        for count in range(1, 40):
            values = [rng.lognormvariate(0, 1) for _ in range(count)]
            found = stats.median_interval(values)
            self.assertLessEqual(found.low, stats.median(values))
            self.assertGreaterEqual(found.high, stats.median(values))

    def test_it_covers_a_skewed_distribution_as_often_as_it_says(self):
        # Distribution-free: the true median of exp(N(0, 1)) is 1.
        rng = random.Random(3)
        trials, count = 4000, 12
        held = 0
        for _ in range(trials):
            found = stats.median_interval([rng.lognormvariate(0, 1) for _ in range(count)])
            held += found.low <= 1.0 <= found.high
        expected = stats.order_statistic_coverage(count, stats.median_rank(count))
        self.assertLess(abs(held / trials - expected), 4 * math.sqrt(0.05 * 0.95 / trials))


class Estimates(unittest.TestCase):
    def test_an_estimate_from_values(self):
        self.assertIsNone(stats.estimate([]))
        found = stats.estimate([3.0, 1.0, 2.0, 10.0])
        self.assertEqual(found, stats.Estimate(2.5, 1.0, 10.0))
        self.assertEqual((found.below(), found.above(), found.top()), (1.5, 7.5, 10.0))

    def test_without_an_interval(self):
        found = stats.Estimate(2.0)
        self.assertFalse(found.has_interval)
        self.assertEqual((found.below(), found.above(), found.top()), (0.0, 0.0, 2.0))
        self.assertEqual(found.scaled(1e3), stats.Estimate(2000.0))

    def test_scaled(self):
        self.assertEqual(stats.Estimate(2.0, 1.0, 4.0).scaled(0.5), stats.Estimate(1.0, 0.5, 2.0))
        self.assertIsNone(stats.scaled(None, 2.0))

    def test_ratio_spans_what_both_intervals_allow(self):
        found = stats.ratio(stats.Estimate(6.0, 4.0, 8.0), stats.Estimate(2.0, 1.0, 4.0))
        self.assertEqual(found, stats.Estimate(3.0, 1.0, 8.0))
        self.assertEqual(stats.ratio(stats.Estimate(6.0, 4.0, 8.0), stats.Estimate(2.0)),
                         stats.Estimate(3.0))
        self.assertIsNone(stats.ratio(stats.Estimate(6.0), stats.Estimate(0.0)))
        self.assertIsNone(stats.ratio(None, stats.Estimate(1.0)))


class IntervalNote(unittest.TestCase):
    def test_says_what_the_bars_are(self):
        self.assertIn("median aggregate", stats.interval_note([0, 0]))
        self.assertIn("range", stats.interval_note([5, 5]))
        self.assertIn("median of 5 repetitions", stats.interval_note([5]))
        self.assertIn("95% confidence interval (order statistics)", stats.interval_note([6, 9]))
        self.assertIn("or the range where a run has fewer than 6", stats.interval_note([3, 9]))
        self.assertIn("95% confidence interval", stats.interval_note([0, 7]))


if __name__ == "__main__":
    unittest.main()
