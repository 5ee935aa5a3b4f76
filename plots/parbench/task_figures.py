"""The task kernels' figures (sleep, spin): makespan per policy, Gantt charts of one job, and
sleep versus spin past the usable CPUs (the findings `uneven` and `oversubscription`,
report/findings.cpp)."""

import math

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .palette import backend_color, backend_rank, backends_of
from .report import is_number, positive
from .selection import (SEED_WORKERS, Skip, best_config, centers, config_label, config_of,
                        int_workers, main_workers, note)
from .stats import interval_note, scaled
from .trace import gantt_trace
from .style import (finish, hide_unused, interval_errors, legend, mark_usable, new_figure,
                    plot_series, time_scale, value_axis, workers_axis)

TASK_KERNELS = ("sleep", "spin")


def task_runs(report, kernel=None):
    kernels = [kernel] if kernel else TASK_KERNELS
    runs = [r for k in kernels for r in report.select(k)
            if is_number(r.workers) and r.center("makespan")]
    if not runs:
        raise Skip(f"no {'/'.join(kernels)} task results")
    return runs


def kernels_of(runs):
    return [k for k in TASK_KERNELS if any(r.kernel == k for r in runs)]


def task_sets(runs):
    """Task sets in report order, the seed set first."""
    names = []
    for run in runs:
        if run.tasks not in names:
            names.append(run.tasks)
    return sorted(names, key=lambda n: n != "seed")


def task_count(runs):
    return next((r.task_count for r in runs if is_number(r.task_count)), None)


def task_unit_label(run):
    unit = run.unit
    if not is_number(unit):
        return ""
    factor, name = time_scale(unit)
    return f"unit {unit * factor:g} {name}"


def task_title(kernel, tasks, runs, workers):
    count = task_count(runs)
    count_text = f"{count} tasks, " if count else ""
    return f"{kernel}: tasks {tasks} ({count_text}{task_unit_label(runs[0])}), {workers} workers"


# ----------------------------------------------------------------------------------------------
# Makespan


def fig_makespan(report):
    """Makespan per policy and backend, with the lower bound and the predicted makespan."""
    runs = task_runs(report)
    kernels = kernels_of(runs)
    sets = task_sets(runs)[:4]
    fig, axes = new_figure(len(sets), len(kernels), 7.5 * len(kernels), 4.6 * len(sets) + 0.6)
    for row, tasks in zip(axes, sets):
        for ax, kernel in zip(row, kernels):
            mine = [r for r in runs if r.kernel == kernel and r.tasks == tasks]
            if not mine:
                ax.set_visible(False)
                continue
            workers = main_workers(int_workers(mine), report.usable_cpus, prefer=SEED_WORKERS)
            makespan_bars(ax, [r for r in mine if r.workers == workers])
            ax.set_title(task_title(kernel, tasks, mine, workers), fontsize=10)
    title = "Tasks: makespan per backend and policy (lower is better)"
    return [("makespan", finish(fig, title, report.stamp(),
                                interval_note(report.repetition_counts())))]


def bar_positions(runs):
    """x of each bar: one apart, with a gap between backends."""
    xs, x = [], 0.0
    for i, run in enumerate(runs):
        if i and run.backend != runs[i - 1].backend:
            x += 0.6
        xs.append(x)
        x += 1
    return xs


def makespan_bars(ax, runs):
    """A bar per policy, the schedule model's prediction and the lower bound across it."""
    runs = sorted(runs, key=backend_rank)
    factor, unit = time_scale(max(r.center("makespan") for r in runs))
    xs = bar_positions(runs)
    found = [scaled(r.stat("makespan"), factor) for r in runs]
    ax.bar(xs, [e.center for e in found], yerr=interval_errors(found), width=0.8, capsize=3,
           color=[backend_color(r.backend) for r in runs], alpha=0.8)
    for x, run in zip(xs, runs):
        for field, style, width in (("predicted", "-", 2.2), ("lower_bound", ":", 1.6)):
            value = run.center(field)
            if value:
                ax.hlines(value * factor, x - 0.45, x + 0.45, colors="black",
                          linestyles=style, linewidth=width)
    ax.set_xticks(xs, [config_label(config_of(r)) or r.backend for r in runs], rotation=40,
                  ha="right", fontsize=8)
    ax.set_ylabel(f"makespan ({unit})")
    ax.set_ylim(0, max(e.top() for e in found) * 1.12)
    ax.grid(True, axis="y", alpha=0.3)
    handles = [Patch(color=backend_color(b), alpha=0.8, label=b) for b in backends_of(runs)]
    handles += [Line2D([], [], color="black", linewidth=2.2, label="predicted (schedule model)"),
                Line2D([], [], color="black", linestyle=":", linewidth=1.6,
                       label="lower bound max(sum/c, longest)")]
    ax.legend(handles=handles, fontsize=7.5, loc="upper left", ncol=2, framealpha=0.85)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.25)  # room for the legend above the bars


# ----------------------------------------------------------------------------------------------
# Gantt charts


def fig_gantt(report):
    """Gantt charts of the seed task set (or the first set) per policy, one file per kernel,
    each with its timelines as a trace (NAME.trace.json, trace.py) beside it."""
    figures = []
    for kernel in TASK_KERNELS:
        try:
            runs = [r for r in task_runs(report, kernel) if r.last_timeline()]
        except Skip:
            continue
        if not runs:
            note(f"{report.path}: {kernel} results carry no timeline; no Gantt chart for them")
            continue
        tasks = task_sets(runs)[0]
        mine = [r for r in runs if r.tasks == tasks]
        workers = main_workers(int_workers(mine), report.usable_cpus, prefer=SEED_WORKERS)
        mine = sorted((r for r in mine if r.workers == workers), key=backend_rank)
        figures.append((f"gantt_{kernel}", gantt_figure(report, kernel, tasks, mine, workers),
                        {"trace.json": gantt_trace(report, kernel, tasks, mine)}))
    if not figures:
        raise Skip("no sleep/spin results with a timeline")
    return figures


def gantt_figure(report, kernel, tasks, runs, workers):
    ncols = min(4, len(runs))
    nrows = math.ceil(len(runs) / ncols)
    span = max(gantt_span(r) for r in runs)
    factor, unit = time_scale(span)
    fig, axes = new_figure(nrows, ncols, 4.4 * ncols, 0.5 * workers * nrows + 1.6 * nrows + 0.9)
    for ax, run in zip(axes.flat, runs):
        gantt_panel(ax, run, factor, unit, span)
        ax.set_xlim(0, span * factor * 1.03)  # the same time scale in every panel
        ax.set_xlabel(f"time from the job's start ({unit})")
    hide_unused(axes, len(runs))
    handles = [Line2D([], [], color="black", linewidth=1.6, label="measured makespan"),
               Line2D([], [], color="black", linestyle="--", linewidth=1.2,
                      label="predicted (schedule model)"),
               Line2D([], [], color="0.4", linestyle=":", linewidth=1.2, label="lower bound")]
    fig.legend(handles=handles, loc="lower left", ncol=3, fontsize=8, frameon=False)
    count = task_count(runs)
    title = (f"Gantt charts, {kernel}: tasks {tasks}"
             f"{f' ({count} tasks)' if count else ''} on {workers} workers; "
             f"bars labelled with the task's duration ({task_unit_label(runs[0]) or 'seconds'})")
    return finish(fig, title, report.stamp())


def gantt_span(run):
    """The latest time a Gantt panel of this run must show."""
    job = run.last_timeline()
    marks = [job.makespan, job.predicted, job.lower_bound]
    return max([t.end for t in job.tasks] + [m for m in marks if m])


def gantt_rows(job):
    """Worker rows: every worker the job had (an idle one shows as an empty row)."""
    rows = {t.worker for t in job.tasks}
    if job.workers and job.workers <= 1024:
        rows |= set(range(job.workers))
    return sorted(rows)


def gantt_panel(ax, run, factor, unit_name, span):
    """One job's timeline: a row per worker, a bar per task labelled with its duration."""
    job = run.last_timeline()
    rows = gantt_rows(job)
    unit = positive(run.unit)
    makespan = job.makespan or max(t.end for t in job.tasks)
    color = backend_color(run.backend)
    for t in job.tasks:
        y = rows.index(t.worker)
        width = t.end - t.start
        ax.barh(y, width * factor, left=t.start * factor, height=0.72, color=color,
                alpha=0.55, edgecolor="black", linewidth=0.8)
        duration = t.duration if t.duration is not None else width
        text = f"{duration / unit:.3g}" if unit else f"{duration * factor:.3g}"
        if width >= span * 0.011 * len(text):  # a label only where it fits in its bar
            ax.text((t.start + width / 2) * factor, y, text, ha="center", va="center",
                    fontsize=7.5)
    for value, style, grey in ((makespan, "-", "black"), (job.predicted, "--", "black"),
                               (job.lower_bound, ":", "0.4")):
        if value:
            ax.axvline(value * factor, color=grey, linestyle=style, linewidth=1.4)
    ax.set_yticks(range(len(rows)), [f"worker {w}" for w in rows], fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_title(f"{run.backend} {config_label(config_of(run))}: "
                 f"{makespan * factor:.3g} {unit_name}", color=color, fontsize=10,
                 fontweight="bold")


# ----------------------------------------------------------------------------------------------
# Sleep versus spin


def widest_task_set(runs):
    """The task set run by both kernels, then at the most worker counts, then the largest."""
    def reach(tasks):
        these = [r for r in runs if r.tasks == tasks]
        size = max((r.task_count for r in these if is_number(r.task_count)), default=0)
        return (len({r.kernel for r in these}), len(int_workers(these)), size)

    return max(task_sets(runs), key=reach)


def fig_sleep_spin(report):
    """Sleep versus spin as the workers grow past the usable CPUs."""
    runs = task_runs(report)
    kernels = kernels_of(runs)
    tasks = widest_task_set(runs)
    runs = [r for r in runs if r.tasks == tasks]
    if len(int_workers(runs)) < 2:
        raise Skip("task results at fewer than two worker counts")
    use_speedup = all(any(r.center("speedup") for r in runs if r.kernel == k) for k in kernels)
    over = report.registry.reference_name()
    parallel = report.registry.without_reference(runs) if use_speedup else runs
    counts = int_workers(parallel)
    panels = {k: [r for r in parallel if r.kernel == k] for k in kernels}
    bars = {len(int_workers(mine)) == 1 for mine in panels.values()}
    fig, axes = new_figure(1, len(kernels), 7.0 * len(kernels), 5.4,
                           sharey=use_speedup and len(bars) == 1)
    tops = []
    for ax, (kernel, mine) in zip(axes[0], panels.items()):
        if not mine:
            ax.set_visible(False)
            tops.append(None)
            continue
        tops.append(sleep_spin_panel(ax, mine, report.usable_cpus, use_speedup, over))
        nature = "gives the CPU away" if kernel == "sleep" else "keeps the CPU busy"
        ax.set_title(f"{kernel} ({nature}), tasks {tasks}", fontsize=10)
    what = f"speedup over {over}" if use_speedup else "makespan"
    for ax, top in zip(axes[0], tops):
        if top is not None:  # bars: room for the legend above them, the same in both panels
            ax.set_ylim(0, max(t for t in tops if t is not None) * 1.3)
            legend(ax, loc="upper right")
    if len(counts) == 1:
        title = (f"Tasks: sleep versus spin at {counts[0]} workers, the one worker count of "
                 f"this report ({what}, best policy per backend)")
    else:
        title = (f"Tasks: sleep versus spin as workers grow past the usable CPUs ({what}, "
                 "best policy per backend)")
    return [("sleep_spin", finish(fig, title, report.stamp(),
                                  interval_note(report.repetition_counts())))]


def total_work(runs):
    """The sum of the task durations (seconds), from a timeline; or None."""
    for run in runs:
        job = run.last_timeline()
        if job and all(t.duration is not None for t in job.tasks):
            return sum(t.duration for t in job.tasks)
    return None


def lowest_bounds(runs):
    """{workers: the lowest lower bound of the runs at that count}."""
    bounds = {}
    for run in runs:
        bound = run.center("lower_bound")
        if bound:
            bounds[run.workers] = min(bound, bounds.get(run.workers, bound))
    return bounds


def best_possible(runs, use_speedup, factor):
    """{workers: the best value the lower bound allows}: the bound itself as a makespan, or the
    total work over it as a speedup (the one-worker bound is the total work)."""
    bounds = lowest_bounds(runs)
    if not use_speedup:
        return {w: b * factor for w, b in bounds.items()}
    total = bounds.get(1) or total_work(runs)
    return {w: total / b for w, b in bounds.items()} if total else {}


def sleep_spin_bars(ax, lines, best, field, factor, usable):
    """The one worker count of these runs: a bar per backend (its best policy), the best the
    lower bound allows across them; the highest value drawn."""
    backends = list(lines)
    found = [scaled(lines[b][1][0].stat(field), factor) for b in backends]
    xs = list(range(len(backends)))
    ax.bar(xs, [e.center for e in found], yerr=interval_errors(found), width=0.7, capsize=3,
           color=[backend_color(b) for b in backends], alpha=0.85)
    ax.set_xticks(xs, [f"{b}\n({config_label(lines[b][0])})" for b in backends], fontsize=8)
    for value in best.values():
        ax.axhline(value, color="0.55", linestyle="--", linewidth=1.4,
                   label="best possible (from the lower bound)")
    workers = lines[backends[0]][1][0].workers
    ax.set_xlabel(f"{workers} workers, {usable} usable CPUs" if usable else f"{workers} workers")
    return max([e.top() for e in found] + list(best.values()))


def sleep_spin_panel(ax, runs, usable, use_speedup, over):
    field = "speedup" if use_speedup else "makespan"
    factor, unit = (1.0, "") if use_speedup else time_scale(max(r.center("makespan") for r in runs))
    lines = {b: best_config([r for r in runs if r.backend == b], field, higher=use_speedup)
             for b in backends_of(runs)}
    if len(int_workers(runs)) == 1:
        top = sleep_spin_bars(ax, lines, best_possible(runs, use_speedup, factor), field,
                              factor, usable)
        ax.set_ylabel(f"speedup over {over} (×)" if use_speedup else f"makespan ({unit})")
        ax.grid(True, axis="y", alpha=0.3)
        return top
    values = [v * factor for v in centers([r for _, rs in lines.values() for r in rs], field)]
    best = best_possible(runs, use_speedup, factor)
    log = value_axis(ax, values + list(best.values()), log_above=8)
    if best:
        ws = sorted(best)
        ax.plot(ws, [best[w] for w in ws], color="0.55", linestyle="--", linewidth=1.4,
                label="best possible (from the lower bound)")
    for backend, (config, chosen) in lines.items():
        plot_series(ax, [(r.workers, scaled(r.stat(field), factor)) for r in chosen], log_y=log,
                    color=backend_color(backend), marker="o",
                    label=f"{backend} ({config_label(config)})")
    mark_usable(ax, usable)
    workers_axis(ax, int_workers(runs))
    ax.set_ylabel(f"speedup over {over} (×)" if use_speedup else f"makespan ({unit})")
    ax.grid(True, alpha=0.3)
    legend(ax, loc="best")
