"""What a figure shows of a report: which runs, which lines (launch and policy), which worker
counts and sizes; Skip where the report lacks them. Standard library only.
"""

import math
import statistics
import sys

from .report import is_number

PROG = "plot"
SEED_WORKERS = 4  # the design's seed question: 2,4,6,8,1,3,5,7 on 4 workers


class Skip(Exception):
    """A figure whose data the report does not have."""


def note(message):
    """A line on stderr for the user: a skipped figure, an unfinished run."""
    sys.stderr.write(f"{PROG}: {message}\n")


def group_by(runs, *keys):
    groups = {}
    for run in runs:
        groups.setdefault(tuple(run.param(k) for k in keys), []).append(run)
    return groups


def config_of(run):
    return (run.launch, run.policy)


def config_label(config):
    launch, policy = config
    return " ".join(str(p) for p in (launch, policy) if p not in (None, "", "inline"))


def configs_in_order(runs):
    """(launch, policy) pairs in the order the report has them."""
    seen = []
    for run in runs:
        if config_of(run) not in seen:
            seen.append(config_of(run))
    return seen


def best_config(runs, field, higher=True):
    """The (launch, policy) of these runs with the most points, then the best geometric mean
    of `field`; with its runs."""
    def rank(item):
        values = [v for v in (r.center(field) for r in item[1]) if v and v > 0]
        if not values:
            return (0, -math.inf)
        mean_log = statistics.fmean(math.log(v) for v in values)
        return (len(values), mean_log if higher else -mean_log)

    groups = group_by(runs, "launch", "policy")
    order = configs_in_order(runs)
    config, chosen = max(sorted(groups.items(), key=lambda kv: order.index(kv[0])), key=rank)
    return config, chosen


def sum_results(report):
    """The report's sum runs that a figure can place: an array size, a worker count and a
    bandwidth."""
    return [r for r in report.select("sum") if is_number(r.bytes) and r.bytes > 0
            and is_number(r.workers) and r.center("bytes_per_second")]


def int_workers(runs):
    return sorted({r.workers for r in runs if is_number(r.workers)})


def main_workers(workers, usable, prefer=None):
    """The worker count a one-count figure shows: `prefer`, else all usable CPUs, else the most
    workers not past them, else the most."""
    if prefer in workers:
        return prefer
    if usable in workers:
        return usable
    below = [w for w in workers if usable and w <= usable]
    return max(below) if below else max(workers)


def spread_pick(values, limit, keep=()):
    """At most `limit` of the sorted values, ends and `keep` included, the rest evenly spread."""
    values = sorted(values)
    if len(values) <= limit:
        return values
    chosen = {values[0], values[-1]} | {k for k in keep if k in values}
    step = (len(values) - 1) / (limit - 1)
    for i in range(limit):
        if len(chosen) >= limit:
            break
        chosen.add(values[round(i * step)])
    return sorted(chosen)


def centers(runs, field):
    """The centre (median) of `field` of each run that has it."""
    return [c for c in (r.center(field) for r in runs) if c is not None]

