"""The sum's figures: bandwidth against array size, every policy, speedup, and what the strided
split costs (the findings `bandwidth` and `split`, report/findings.cpp)."""

import math

from matplotlib.transforms import blended_transform_factory

from .palette import LAUNCH_STYLES, MARKERS, SHADES, backend_color, backends_of
from .report import CONTIGUOUS_SPLIT, STRIDED_SPLIT, bytes_text, is_number, plural
from .selection import (Skip, best_config, config_label, config_of, configs_in_order,
                        int_workers, main_workers, spread_pick, sum_results)
from .stats import interval_note, ratio, scaled
from .style import (MAX_JOIN, bytes_axis, finish, hide_unused, legend_below,
                    legend_right, log_axis, mark_caches, mark_usable, new_figure,
                    plot_series, shade, symlog_axis, value_axis, wide_workers, workers_axis)

GIGA = 1e-9  # bytes per second to GB/s


def sum_runs(report):
    runs = sum_results(report)
    if not runs:
        raise Skip("no sum results with bytes_per_second")
    return runs


def bandwidth_points(runs):
    """(bytes, bandwidth in GB/s) of each run."""
    return [(r.bytes, scaled(r.stat("bytes_per_second"), GIGA)) for r in runs]


def bandwidth_ceilings(ax, report):
    for value, style, what in ((report.read_bandwidth, "--", "all CPUs"),
                               (report.read_bandwidth_one_thread, ":", "1 thread")):
        if value:
            ax.axhline(value * GIGA, color="black", linestyle=style, linewidth=1,
                       label=f"measured read bandwidth, {what}: {value * GIGA:.1f} GB/s")


def sizes_note(runs):
    """What a panel of bandwidth against size says when the report has one size, or sizes too
    far apart to join."""
    sizes = sorted({r.bytes for r in runs})
    if len(sizes) == 1:
        return f" (one size measured: {bytes_text(sizes[0])})"
    if not any(b <= a * MAX_JOIN for a, b in zip(sizes, sizes[1:])):
        return f" ({len(sizes)} sizes, too far apart to join)"
    return ""


def bandwidth_axes(ax, report, all_bytes):
    """What every bandwidth panel has: the ceilings, bytes on a log x, GB/s on a log y, the
    caches."""
    bandwidth_ceilings(ax, report)
    bytes_axis(ax, all_bytes)
    log_axis(ax)
    mark_caches(ax, report.caches)
    ax.set_xlabel("array size (bytes)")


def fig_bandwidth(report):
    """Bandwidth against array size, log–log, best (launch, policy) per backend, one panel per
    worker count; the measured read bandwidth as a ceiling and the caches marked."""
    runs = sum_runs(report)
    reference = report.registry.reference_runs(runs)
    parallel = report.registry.without_reference(runs)
    panels = spread_pick(int_workers(parallel) or [1], 4, keep=[report.usable_cpus])
    fig, axes = new_figure(1, len(panels), 5.4 * len(panels) + 0.6, 6.4, sharey=True)
    for ax, workers in zip(axes[0], panels):
        if reference:  # one worker: the same line in every panel
            plot_series(ax, bandwidth_points(reference), log_y=True, max_gap=MAX_JOIN,
                        color=backend_color(report.registry.reference), linestyle="-",
                        marker="o", label=report.registry.reference)
        for backend in backends_of(parallel):
            mine = [r for r in parallel if r.backend == backend and r.workers == workers]
            if not mine:
                continue
            config, chosen = best_config(mine, "bytes_per_second")
            plot_series(ax, bandwidth_points(chosen), log_y=True, max_gap=MAX_JOIN,
                        color=backend_color(backend), linestyle="-", marker="o",
                        label=f"{backend} ({config_label(config)})")
        bandwidth_axes(ax, report, [r.bytes for r in runs])
        ax.set_title(f"{plural(workers, 'worker', 'workers')}{sizes_note(runs)}")
        ax.grid(True, which="major", alpha=0.3)
        legend_below(ax)
    axes[0][0].set_ylabel("bandwidth (GB/s)")
    title = "Sum: bandwidth against array size (best launch/policy per backend)"
    return [("bandwidth", finish(fig, title, report.stamp(),
                                 interval_note(report.repetition_counts())))]


def policies_in_order(runs):
    """The policies of these runs in the order the report has them: one shade each."""
    policies = []
    for _, policy in configs_in_order(runs):
        if policy not in policies:
            policies.append(policy)
    return policies


def fig_bandwidth_policies(report):
    """Every launch/policy of each backend at one worker count: which split is worth it."""
    runs = report.registry.without_reference(sum_runs(report))
    if not runs:
        raise Skip("no parallel sum results")
    workers = main_workers(int_workers(runs), report.usable_cpus)
    backends = backends_of(runs)
    ncols = min(2, len(backends))
    nrows = math.ceil(len(backends) / ncols)
    fig, axes = new_figure(nrows, ncols, 6.4 * ncols, 5.6 * nrows + 0.5, sharey=True)
    for ax, backend in zip(axes.flat, backends):
        mine = [r for r in runs if r.backend == backend and r.workers == workers]
        policies = policies_in_order(mine)
        for config in configs_in_order(mine):
            i = policies.index(config[1])
            plot_series(ax, bandwidth_points(r for r in mine if config_of(r) == config),
                        log_y=True, max_gap=MAX_JOIN,
                        color=shade(backend_color(backend), SHADES[i % len(SHADES)]),
                        linestyle=LAUNCH_STYLES.get(config[0], "-"),
                        marker=MARKERS[i % len(MARKERS)], label=config_label(config))
        bandwidth_axes(ax, report, [r.bytes for r in runs])
        ax.set_title(backend, color=backend_color(backend), fontweight="bold")
        ax.set_ylabel("bandwidth (GB/s)")
        ax.grid(True, which="major", alpha=0.3)
        legend_below(ax, ncol=2)
    hide_unused(axes, len(backends))
    title = (f"Sum: bandwidth of every launch/policy, {workers} workers{sizes_note(runs)} "
             "(dashed: workers spawned per job; solid: a pool, team or arena)")
    return [("bandwidth_policies", finish(fig, title, report.stamp(),
                                          interval_note(report.repetition_counts())))]


def ideal_speedup(workers, usable):
    """What `workers` can give at best: one per CPU, so no more than the usable CPUs."""
    return min(workers, usable) if usable else workers


SPEEDUP_PANELS = (  # field, axis label, the ideal at w workers (usable CPUs u), its label
    ("speedup", "speedup over {over}", ideal_speedup, "ideal (= workers, up to the CPUs)"),
    ("efficiency", "efficiency (speedup / workers)",
     lambda w, u: ideal_speedup(w, u) / w, "ideal (1, then CPUs / workers)"),
    ("karp_flatt", "Karp–Flatt serial fraction", lambda w, u: 0.0, "ideal (0)"),
)


def karp_flatt_means_something(run):
    """Karp–Flatt's serial fraction only where there is a parallel part to speak of: more than
    one worker, and a speedup above 1 (below it the formula gives numbers past 1 that say only
    that the run was slower)."""
    speedup = run.center("speedup")
    return is_number(run.workers) and run.workers > 1 and speedup is not None and speedup > 1


def field_points(runs, field, x_of):
    """(x, estimate) of the runs that have the field; Karp–Flatt only where it means something."""
    return [(x_of(r), r.stat(field)) for r in runs
            if field != "karp_flatt" or karp_flatt_means_something(r)]


def speedup_value_axis(ax, field, values, xs, ideal, usable):
    """Karp–Flatt symlog where it strays far from 0 (it has no sign to keep it positive); the
    others log where they span widely, and speedup log–log over a wide range of workers, so that
    the ideal line stays straight. True where the axis is log."""
    if field == "karp_flatt":
        if values and max(abs(v) for v in values) > 10:
            symlog_axis(ax)
        return False
    return value_axis(ax, values + [ideal(w, usable) for w in xs],
                      log_above=1 if field == "speedup" and wide_workers(xs) else 20)


def ideal_line(ax, xs, ideal, usable, label):
    """The ideal, with a bend at the usable CPUs where the workers pass them."""
    points = sorted(set(xs) | ({usable} if usable and min(xs) < usable < max(xs) else set()))
    ax.plot(points, [ideal(w, usable) for w in points], color="0.6", linestyle="--",
            linewidth=1.2, label=label)


def speedup_row(row, report, at_size, workers, size):
    """Speedup, efficiency and Karp–Flatt of one array size, the best line of each backend."""
    over = report.registry.reference_name()
    usable = report.usable_cpus
    lines = {b: best_config([r for r in at_size if r.backend == b], "speedup")
             for b in backends_of(at_size)}
    for ax, (field, ylabel, ideal, ideal_label) in zip(row, SPEEDUP_PANELS):
        ylabel = ylabel.format(over=over)
        points = {b: field_points(rs, field, lambda r: r.workers) for b, (_, rs) in lines.items()}
        values = [e.center for ps in points.values() for _, e in ps if e]
        xs = workers if field != "karp_flatt" else [w for w in workers if w > 1] or workers
        log = speedup_value_axis(ax, field, values, xs, ideal, usable)
        ideal_line(ax, xs, ideal, usable, ideal_label)
        for backend, (config, _) in lines.items():
            plot_series(ax, points[backend], log_y=log, color=backend_color(backend),
                        marker="o", label=f"{backend} ({config_label(config)})")
        if field == "karp_flatt" and not values:
            ax.text(0.5, 0.5, "no run with speedup > 1 on more than one worker",
                    transform=ax.transAxes, ha="center", va="center", fontsize=9, color="0.4")
        mark_usable(ax, usable)
        workers_axis(ax, workers)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{ylabel.split(' (')[0]}, array of {bytes_text(size)}", fontsize=10)
        ax.grid(True, alpha=0.3)
    legend_right(row[2])


def speedup_at_one_count(report, runs, workers):
    """A report with one worker count (a quick run): speedup, efficiency and Karp–Flatt
    against array size at that count, a point per backend (its best launch/policy at each size)
    beside the others, the ideal at that count across."""
    over = report.registry.reference_name()
    usable = report.usable_cpus
    sizes = sorted({r.bytes for r in runs})
    backends = backends_of(runs)
    panels = [p for p in SPEEDUP_PANELS
              if p[0] != "karp_flatt" or any(karp_flatt_means_something(r) for r in runs)]
    fig, axes = new_figure(1, len(panels), 5.2 * len(panels) + 1.6, 5.4)
    width = 0.7 / max(1, len(backends))
    for ax, (field, ylabel, ideal, ideal_label) in zip(axes[0], panels):
        ylabel = ylabel.format(over=over)
        best = ideal(workers, usable)
        ax.axhline(best, color="0.6", linestyle="--", linewidth=1.2)
        ax.text(0.01, best, f" {ideal_label}: {best:g}", fontsize=8, color="0.35", ha="left",
                va="bottom", transform=blended_transform_factory(ax.transAxes, ax.transData))
        for i, backend in enumerate(backends):
            chosen = [best_config([r for r in runs if r.backend == backend and r.bytes == b],
                                  "speedup")[1][0]
                      for b in sizes if any(r.backend == backend and r.bytes == b for r in runs)]
            offset = (i - (len(backends) - 1) / 2) * width
            plot_series(ax, field_points(chosen, field, lambda r: sizes.index(r.bytes) + offset),
                        color=backend_color(backend), marker="o", linestyle="none",
                        label=backend)
        ax.set_xticks(range(len(sizes)), [bytes_text(b) for b in sizes])
        ax.set_xlim(-0.6, len(sizes) - 0.4)
        ax.set_xlabel("array size")
        ax.set_ylabel(ylabel)
        ax.set_title(ylabel.split(" (")[0], fontsize=10)
        ax.grid(True, axis="y", alpha=0.3)
    legend_right(axes[0][-1])
    title = (f"Sum: speedup, efficiency and Karp–Flatt serial fraction at {workers} workers, "
             "the one worker count of this report (best launch/policy per backend and size)")
    return [("speedup", finish(fig, title, report.stamp(),
                               interval_note(report.repetition_counts())))]


def fig_speedup(report):
    """Speedup (with the ideal line, which stops rising at the usable CPUs), efficiency and
    Karp–Flatt serial fraction against workers, per backend, one row per array size; for a
    report with one worker count, against array size at that count."""
    over = report.registry.reference_name()
    runs = [r for r in report.registry.without_reference(sum_runs(report)) if r.center("speedup")]
    if not runs:
        raise Skip(f"no sum results with speedup (the report needs a run of {over} of each size)")
    workers = int_workers(runs)
    if len(workers) == 1:
        return speedup_at_one_count(report, runs, workers[0])
    sizes = spread_pick({r.bytes for r in runs}, 4)
    fig, axes = new_figure(len(sizes), 3, 17.5, 3.6 * len(sizes) + 0.7)
    for row, size in zip(axes, sizes):
        speedup_row(row, report, [r for r in runs if r.bytes == size], workers, size)
    title = ("Sum: speedup, efficiency and Karp–Flatt serial fraction "
             "(best launch/policy per backend)")
    return [("speedup", finish(fig, title, report.stamp(),
                               interval_note(report.repetition_counts())))]


def split_pairs(report, runs):
    """{backend: (contiguous policy, strided policy)} for the backends of these runs that ran
    both, as the report's registry names them (block and cyclic, static and static1, ...)."""
    pairs = {}
    for backend in backends_of(runs):
        names = tuple(report.registry.sum_policy(backend, split)
                      for split in (CONTIGUOUS_SPLIT, STRIDED_SPLIT))
        ran = {r.policy for r in runs if r.backend == backend}
        if all(name is not None and name in ran for name in names):
            pairs[backend] = names
    return pairs


def split_lines(bw_ax, ratio_ax, runs, backend, policies):
    """One backend's contiguous and strided bandwidth, at the launch its contiguous split does
    best with, and the time ratio strided / contiguous; the ratios' centres."""
    block_policy, strided_policy = policies
    blocks = [r for r in runs if r.policy == block_policy]
    if not blocks:
        return []
    launch = best_config(blocks, "bytes_per_second")[0][0]
    block = {r.bytes: r for r in blocks if r.launch == launch}
    strided = {r.bytes: r for r in runs if r.policy == strided_policy and r.launch == launch}
    color = backend_color(backend)
    for table, style, what in ((block, "-", block_policy), (strided, "--", strided_policy)):
        plot_series(bw_ax, bandwidth_points(table.values()), log_y=True, max_gap=MAX_JOIN,
                    color=color, linestyle=style, marker="o" if style == "-" else "s",
                    label=f"{backend} {config_label((launch, what))}")
    points = [(b, ratio(strided[b].stat("real_time"), block[b].stat("real_time")))
              for b in block if b in strided]
    plot_series(ratio_ax, points, log_y=True, max_gap=MAX_JOIN, color=color, marker="o",
                label=f"{backend} {launch}: {strided_policy} / {block_policy}")
    return [p[1].center for p in points if p[1]]


def fig_sum_split(report):
    """Contiguous blocks versus strided slices (cyclic, static1) for the sum. The ratio's bars
    are the range the two intervals allow (stats.ratio), wider than either."""
    runs = sum_runs(report)
    pairs = split_pairs(report, runs)
    if not pairs:
        raise Skip("no sum results with both a block and a strided (cyclic, static1) policy")
    workers = main_workers(int_workers([r for r in runs if r.backend in pairs]),
                           report.usable_cpus)
    fig, axes = new_figure(1, 2, 14, 6.8)
    bw_ax, ratio_ax = axes[0]
    ratios = []
    for backend, policies in pairs.items():
        mine = [r for r in runs if r.backend == backend and r.workers == workers]
        ratios += split_lines(bw_ax, ratio_ax, mine, backend, policies)
    reference = report.registry.reference_runs(runs)
    plot_series(bw_ax, bandwidth_points(reference), log_y=True, max_gap=MAX_JOIN,
                color=backend_color(report.registry.reference), marker="o", linewidth=1,
                label=f"{report.registry.reference} (1 worker)")
    bandwidth_axes(bw_ax, report, [r.bytes for r in runs])
    bytes_axis(ratio_ax, [r.bytes for r in runs])
    mark_caches(ratio_ax, report.caches)
    ratio_ax.set_xlabel("array size (bytes)")
    for ax in (bw_ax, ratio_ax):
        ax.grid(True, alpha=0.3)
    bw_ax.set_ylabel("bandwidth (GB/s)")
    bw_ax.set_title(f"block (solid) and strided (dashed), {workers} workers")
    ratio_ax.axhline(1, color="0.6", linestyle="--", linewidth=1.2, label="no cost (1)")
    value_axis(ratio_ax, ratios, log_above=8)
    ratio_ax.set_ylabel("time strided / time block (×; bars: from both intervals)")
    ratio_ax.set_title(f"what the strided split costs, {workers} workers")
    legend_below(bw_ax)
    legend_below(ratio_ax)
    title = f"Sum: contiguous blocks versus strided slices (data[i::P]){sizes_note(runs)}"
    return [("sum_split", finish(fig, title, report.stamp(),
                                 interval_note(report.repetition_counts())))]

