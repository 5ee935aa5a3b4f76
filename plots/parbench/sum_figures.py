"""The sum's figures: bandwidth against array size, every policy, speedup, and what the strided
split costs (DESIGN.md, question 1)."""

import math

from .palette import LAUNCH_STYLES, MARKERS, SHADES, backend_color, backends_of
from .report import CONTIGUOUS_SPLIT, STRIDED_SPLIT, is_number
from .selection import (Skip, best_config, centers, config_label, config_of, configs_in_order,
                        int_workers, main_workers, spread_pick)
from .stats import interval_note, ratio, scaled
from .style import (bytes_axis, finish, fmt_bytes, hide_unused, legend_below,
                    legend_right, log_axis, mark_caches, mark_usable, new_figure,
                    plot_series, shade, symlog_axis, value_axis, wide_workers, workers_axis)

GIGA = 1e-9  # bytes per second to GB/s


def sum_runs(report):
    runs = [r for r in report.select("sum") if is_number(r.bytes) and r.bytes > 0
            and is_number(r.workers) and r.center("bytes_per_second")]
    if not runs:
        raise Skip("no sum results with bytes_per_second")
    return runs


def bandwidth_points(runs):
    """(bytes, bandwidth in GB/s) of each run."""
    return [(r.bytes, scaled(r.stat("bytes_per_second"), GIGA)) for r in runs]


def bandwidth_ceilings(ax, context):
    for key, style, what in (("read_bandwidth", "--", "all CPUs"),
                             ("read_bandwidth_one_thread", ":", "1 thread")):
        value = context.get(key)
        if is_number(value) and value > 0:
            ax.axhline(value * GIGA, color="black", linestyle=style, linewidth=1,
                       label=f"measured read bandwidth, {what}: {value * GIGA:.1f} GB/s")


def bandwidth_axes(ax, report, all_bytes):
    """What every bandwidth panel has: the ceilings, bytes on a log x, GB/s on a log y, the
    caches."""
    bandwidth_ceilings(ax, report.context)
    bytes_axis(ax, all_bytes)
    log_axis(ax)
    mark_caches(ax, report.context)
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
            plot_series(ax, bandwidth_points(reference), log_y=True,
                        color=backend_color(report.registry.reference), linestyle="-",
                        marker="o", label=report.registry.reference)
        for backend in backends_of(parallel):
            mine = [r for r in parallel if r.backend == backend and r.workers == workers]
            if not mine:
                continue
            config, chosen = best_config(mine, "bytes_per_second")
            plot_series(ax, bandwidth_points(chosen), log_y=True, color=backend_color(backend),
                        linestyle="-", marker="o", label=f"{backend} ({config_label(config)})")
        bandwidth_axes(ax, report, [r.bytes for r in runs])
        ax.set_title(f"{workers} worker{'s' if workers != 1 else ''}")
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
                        log_y=True, color=shade(backend_color(backend), SHADES[i % len(SHADES)]),
                        linestyle=LAUNCH_STYLES.get(config[0], "-"),
                        marker=MARKERS[i % len(MARKERS)], label=config_label(config))
        bandwidth_axes(ax, report, [r.bytes for r in runs])
        ax.set_title(backend, color=backend_color(backend), fontweight="bold")
        ax.set_ylabel("bandwidth (GB/s)")
        ax.grid(True, which="major", alpha=0.3)
        legend_below(ax, ncol=2)
    hide_unused(axes, len(backends))
    title = (f"Sum: bandwidth of every launch/policy, {workers} workers "
             "(dashed: workers spawned per job; solid: a pool, team or arena)")
    return [("bandwidth_policies", finish(fig, title, report.stamp(),
                                          interval_note(report.repetition_counts())))]


SPEEDUP_PANELS = (  # field, axis label, the ideal at w workers, its label
    ("speedup", "speedup over {over}", lambda w: w, "ideal (= workers)"),
    ("efficiency", "efficiency (speedup / workers)", lambda w: 1.0, "ideal (1)"),
    ("karp_flatt", "Karp–Flatt serial fraction", lambda w: 0.0, "ideal (0)"),
)


def speedup_value_axis(ax, field, values, xs, ideal):
    """Karp–Flatt symlog where it strays far from 0 (it has no sign to keep it positive); the
    others log where they span widely, and speedup log–log over a wide range of workers, so that
    the ideal line stays straight. True where the axis is log."""
    if field == "karp_flatt":
        if values and max(abs(v) for v in values) > 10:
            symlog_axis(ax)
        return False
    return value_axis(ax, values + [ideal(w) for w in xs],
                      log_above=1 if field == "speedup" and wide_workers(xs) else 20)


def speedup_row(row, report, at_size, workers, size):
    """Speedup, efficiency and Karp–Flatt of one array size, the best line of each backend."""
    over = report.registry.reference_name()
    lines = {b: best_config([r for r in at_size if r.backend == b], "speedup")
             for b in backends_of(at_size)}
    for ax, (field, ylabel, ideal, ideal_label) in zip(row, SPEEDUP_PANELS):
        ylabel = ylabel.format(over=over)
        values = centers([r for _, rs in lines.values() for r in rs], field)
        xs = workers if field != "karp_flatt" else [w for w in workers if w > 1] or workers
        log = speedup_value_axis(ax, field, values, xs, ideal)
        ax.plot(xs, [ideal(w) for w in xs], color="0.6", linestyle="--", linewidth=1.2,
                label=ideal_label)
        for backend, (config, chosen) in lines.items():
            points = [(r.workers, r.stat(field)) for r in chosen
                      if field != "karp_flatt" or r.workers > 1]
            plot_series(ax, points, log_y=log, color=backend_color(backend), marker="o",
                        label=f"{backend} ({config_label(config)})")
        mark_usable(ax, report.usable_cpus)
        workers_axis(ax, workers)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{ylabel.split(' (')[0]}, array of {fmt_bytes(size)}", fontsize=10)
        ax.grid(True, alpha=0.3)
    legend_right(row[2])


def fig_speedup(report):
    """Speedup (with the ideal line), efficiency and Karp–Flatt serial fraction against
    workers, per backend, one row per array size."""
    over = report.registry.reference_name()
    runs = [r for r in report.registry.without_reference(sum_runs(report)) if r.center("speedup")]
    if not runs:
        raise Skip(f"no sum results with speedup (the report needs a run of {over} of each size)")
    sizes = spread_pick({r.bytes for r in runs}, 4)
    workers = int_workers(runs)
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
        plot_series(bw_ax, bandwidth_points(table.values()), log_y=True, color=color,
                    linestyle=style, marker="o" if style == "-" else "s",
                    label=f"{backend} {config_label((launch, what))}")
    points = [(b, ratio(strided[b].stat("real_time"), block[b].stat("real_time")))
              for b in block if b in strided]
    plot_series(ratio_ax, points, log_y=True, color=color, marker="o",
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
    plot_series(bw_ax, bandwidth_points(reference), log_y=True,
                color=backend_color(report.registry.reference), marker="o", linewidth=1,
                label=f"{report.registry.reference} (1 worker)")
    bandwidth_axes(bw_ax, report, [r.bytes for r in runs])
    bytes_axis(ratio_ax, [r.bytes for r in runs])
    mark_caches(ratio_ax, report.context)
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
    title = "Sum: contiguous blocks versus strided slices (data[i::P])"
    return [("sum_split", finish(fig, title, report.stamp(),
                                 interval_note(report.repetition_counts())))]

