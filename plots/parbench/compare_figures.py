"""Several reports side by side: the sum's bandwidth and speedup, one panel per backend, one line
per report (its line style)."""

import math

from .palette import backend_color, backends_of, report_styles
from .report import bytes_text
from .selection import Skip, best_config, config_label, int_workers, main_workers
from .stats import interval_note
from .style import (MAX_JOIN, bytes_axis, finish, legend_below, log_axis,
                    new_figure, plot_series, wide_workers, workers_axis, hide_unused)
from .sum_figures import GIGA, bandwidth_points, ideal_speedup, sum_runs


def compare_stamp(reports):
    return "  |  ".join(r.stamp() for r in reports)


def compare_bars(reports):
    return interval_note([n for r in reports for n in r.repetition_counts()])


def common_reference(reports):
    """The reference backend of these reports, for a label: its name where they share one."""
    names = {r.registry.reference_name() for r in reports}
    return names.pop() if len(names) == 1 else "each report's reference"


def compare_grid(backends, width=5.4, height=5.2):
    ncols = min(3, len(backends))
    nrows = math.ceil(len(backends) / ncols)
    fig, axes = new_figure(nrows, ncols, width * ncols, height * nrows + 0.8)
    hide_unused(axes, len(backends))
    return fig, list(axes.flat)


def backend_title(ax, backend):
    ax.set_title(backend, color=backend_color(backend), fontweight="bold")


def sum_runs_by_report(reports):
    """{id(report): its sum runs} for the reports that have some."""
    data = {}
    for report in reports:
        try:
            data[id(report)] = sum_runs(report)
        except Skip:
            pass
    return data


def fig_compare_bandwidth(reports):
    """Bandwidth against size, one panel per backend, one line per report (at its usable CPUs)."""
    data = sum_runs_by_report(reports)
    if len(data) < 2:
        raise Skip("fewer than two reports with sum results")
    styles = report_styles(reports)
    backends = backends_of([r for runs in data.values() for r in runs])
    fig, axes = compare_grid(backends)
    all_bytes = [r.bytes for runs in data.values() for r in runs]
    for ax, backend in zip(axes, backends):
        for report in reports:
            mine = [r for r in data.get(id(report), []) if r.backend == backend]
            if not mine:
                continue
            workers = main_workers(int_workers(mine), report.usable_cpus)
            config, chosen = best_config([r for r in mine if r.workers == workers],
                                         "bytes_per_second")
            style, marker = styles[id(report)]
            plot_series(ax, bandwidth_points(chosen), log_y=True, max_gap=MAX_JOIN,
                        color=backend_color(backend), linestyle=style, marker=marker,
                        label=f"{report.label}: {config_label(config) or backend}, {workers} w")
            if report.read_bandwidth:
                ax.axhline(report.read_bandwidth * GIGA, color="black", linestyle=style,
                           linewidth=0.8, alpha=0.6)
        bytes_axis(ax, all_bytes)
        log_axis(ax)
        backend_title(ax, backend)
        ax.set_xlabel("array size (bytes)")
        ax.set_ylabel("bandwidth (GB/s)")
        ax.grid(True, alpha=0.3)
        legend_below(ax, ncol=1)
    title = ("Sum bandwidth, report against report (thin black lines: each machine's "
             "measured read bandwidth, same line style)")
    return [("compare_bandwidth", finish(fig, title, compare_stamp(reports),
                                         compare_bars(reports)))]


def speedup_runs_by_report(reports):
    """{id(report): its sum runs with a speedup, the reference left out}."""
    data = {}
    for report in reports:
        try:
            runs = [r for r in report.registry.without_reference(sum_runs(report))
                    if r.center("speedup")]
        except Skip:
            continue
        if runs:
            data[id(report)] = runs
    return data


def fig_compare_speedup(reports):
    """Sum speedup against workers at each report's largest array, one panel per backend."""
    data = speedup_runs_by_report(reports)
    if len(data) < 2:
        raise Skip("fewer than two reports with sum speedups")
    styles = report_styles(reports)
    backends = backends_of([r for runs in data.values() for r in runs])
    fig, axes = compare_grid(backends)
    for ax, backend in zip(axes, backends):
        workers, ideals = [], {}
        for report in reports:
            runs = data.get(id(report), [])
            size = max((r.bytes for r in runs), default=None)
            mine = [r for r in runs if r.backend == backend and r.bytes == size]
            if not mine:
                continue
            config, chosen = best_config(mine, "speedup")
            style, marker = styles[id(report)]
            workers += int_workers(chosen)
            ideals.setdefault(report.usable_cpus, style)
            plot_series(ax, [(r.workers, r.stat("speedup")) for r in chosen],
                        color=backend_color(backend), linestyle=style, marker=marker,
                        label=f"{report.label}: {config_label(config)}, {bytes_text(size)}")
        workers = sorted(set(workers))
        for usable, style in ideals.items():  # one per number of CPUs, bent at them
            bend = {usable} if usable and workers[0] < usable < workers[-1] else set()
            xs = sorted(set(workers) | bend)
            cpus = f", up to {usable} CPUs" if usable and usable < workers[-1] else ""
            ax.plot(xs, [ideal_speedup(w, usable) for w in xs], color="0.6", linestyle=style,
                    linewidth=1.2, label=f"ideal (= workers{cpus})")
        workers_axis(ax, workers)
        if wide_workers(workers):
            ax.set_yscale("log")  # log–log keeps the ideal line straight
        else:
            ax.set_ylim(bottom=0)
        backend_title(ax, backend)
        ax.set_ylabel(f"speedup over {common_reference(reports)} (×)")
        ax.grid(True, alpha=0.3)
        legend_below(ax, ncol=1)
    title = "Sum speedup at each report's largest array, report against report"
    return [("compare_speedup", finish(fig, title, compare_stamp(reports),
                                       compare_bars(reports)))]
