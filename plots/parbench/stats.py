"""The centre and spread a figure draws for a run: the median of its repetitions and a
distribution-free confidence interval of that median. Standard library only.

The median is the centre parbench-compare reports, and its interval the one parbench writes
(stats/statistics.cpp, which both share), computed the same way, so that a figure and a
comparison of the same report agree on every value. Timings are skewed (a repetition is never
faster than the machine allows, sometimes much slower), so a mean ± stddev would put a
symmetric bar around a value no repetition is near; the interval below assumes nothing about
the distribution but that the repetitions are independent.
"""

import math
from typing import NamedTuple, Optional

CONFIDENCE = 0.95


class Estimate(NamedTuple):
    """A run's value of one field: its centre, and the interval around it where one is known
    (low and high are None for a report that has only the median aggregate)."""

    center: float
    low: Optional[float] = None
    high: Optional[float] = None

    @property
    def has_interval(self):
        return self.low is not None and self.high is not None

    def below(self):
        """How far the interval reaches below the centre (0 without an interval)."""
        return self.center - self.low if self.has_interval else 0.0

    def above(self):
        return self.high - self.center if self.has_interval else 0.0

    def top(self):
        """The highest value a figure must leave room for."""
        return self.high if self.has_interval else self.center

    def scaled(self, factor):
        if not self.has_interval:
            return Estimate(self.center * factor)
        return Estimate(self.center * factor, self.low * factor, self.high * factor)


class Interval(NamedTuple):
    low: float
    high: float
    coverage: float  # the probability that the interval holds the true median


def median(values):
    """The middle value, or halfway between the middle two; None for no values. Written as
    parbench-compare writes it (lower + (upper - lower) / 2), so that both give the same
    number to the last bit."""
    ordered = sorted(values)
    count = len(ordered)
    if not count:
        return None
    middle = count // 2
    if count % 2:
        return ordered[middle]
    lower, upper = ordered[middle - 1], ordered[middle]
    return lower + (upper - lower) / 2


def order_statistic_coverage(count, rank):
    """The probability that [x(rank), x(count - rank + 1)] (1-based order statistics of `count`
    independent values) holds the true median: each value falls below the median with
    probability 1/2, so the interval misses it when fewer than `rank` values fall below or
    fewer than `rank` above, which is 2 P(B <= rank - 1) for B ~ binomial(count, 1/2)."""
    below = sum(math.comb(count, i) for i in range(rank))
    return 1 - 2 * below / 2 ** count


def median_rank(count, confidence=CONFIDENCE):
    """The largest rank k for which [x(k), x(count - k + 1)] covers the median with at least
    `confidence` (the narrowest such interval); None where not even the whole range does.

    For 95%: none below 6 values (the range of 5 covers 1 - 2/2^5 = 0.9375), k = 1 from 6 to 8
    values (0.969 at 6), k = 2 from 9 to 11, k = 3 from 12 to 14, ..."""
    chosen = None
    for rank in range(1, count // 2 + 1):
        if order_statistic_coverage(count, rank) < confidence:
            break
        chosen = rank
    return chosen


def median_interval(values, confidence=CONFIDENCE):
    """A distribution-free interval of the median of `values`, from their order statistics:
    [x(k), x(n - k + 1)] with k = median_rank(n), which holds the median with probability at
    least `confidence` whatever the distribution (the sign test's interval).

    With too few values for that (fewer than 6 for 95%), the whole range min..max, which is the
    widest such interval there is; its coverage, 1 - 2^(1 - n) (0.9375 for 5 values, 0.875 for
    4, 0.75 for 3, 0.5 for 2, 0 for one value), is below `confidence` and is returned with it,
    so that a caller can say so. None for no values."""
    ordered = sorted(values)
    count = len(ordered)
    if not count:
        return None
    rank = median_rank(count, confidence) or 1
    return Interval(ordered[rank - 1], ordered[count - rank],
                    order_statistic_coverage(count, rank))


def estimate(values):
    """The median of `values` with its interval, or None for no values."""
    center = median(values)
    if center is None:
        return None
    interval = median_interval(values)
    return Estimate(center, interval.low, interval.high)


def scaled(found, factor):
    """An estimate in other units (None stays None)."""
    return None if found is None else found.scaled(factor)


def ratio(numerator, denominator):
    """numerator / denominator of two positive estimates. Its interval is the range the ratio
    of the medians lies in when both intervals hold (low / high to high / low); with two 95%
    intervals that is so with probability at least 90%, so it is wider than it needs to be,
    never narrower. No interval unless both have one."""
    if not numerator or not denominator or numerator.center <= 0 or denominator.center <= 0:
        return None
    center = numerator.center / denominator.center
    if not (numerator.has_interval and denominator.has_interval) or denominator.low <= 0:
        return Estimate(center)
    return Estimate(center, numerator.low / denominator.high, numerator.high / denominator.low)


def fewest_repetitions(confidence=CONFIDENCE):
    """The fewest values whose order statistics give an interval of the median at
    `confidence` (6 for 95%)."""
    count = 1
    while median_rank(count, confidence) is None:
        count += 1
    return count


def interval_note(repetition_counts, confidence=CONFIDENCE):
    """What the points and bars of a figure mean, for its corner, from how many repetitions its
    runs have (0 for a run known from its aggregates only, which has no bar)."""
    counts = set(repetition_counts)
    if not counts - {0}:
        return "points: the median aggregate (the report has no repetitions, so no interval)"
    counts -= {0}
    enough = fewest_repetitions(confidence)
    percent = f"{confidence * 100:g}%"
    if min(counts) >= enough:
        return (f"points: median of the repetitions; bars: its {percent} confidence interval "
                "(order statistics)")
    if len(counts) == 1:
        count = counts.pop()
        return (f"points: median of {count} repetition{'s' if count != 1 else ''}; bars: "
                f"their range (too few for a {percent} interval of the median)")
    return (f"points: median of the repetitions; bars: its {percent} confidence interval, or "
            f"the range where a run has fewer than {enough} repetitions")
