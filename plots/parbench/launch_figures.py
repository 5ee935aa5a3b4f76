"""What starting workers and handing them work costs: thread create+join, fork+wait, a pool's
start and one dispatch (the finding `launch`, report/findings.cpp)."""

from matplotlib.patches import Patch

from .palette import LAUNCH_STYLES, MARKERS, backend_color, backend_rank, backends_of, ordered
from .report import bytes_text, is_number
from .selection import Skip, int_workers
from .stats import interval_note, scaled
from .style import (finish, interval_errors, legend_below, log_axis,
                    mark_usable, new_figure, plot_series, workers_axis)

MICRO = 1e6  # seconds to µs
ONE_WORKER_POLICIES = ("create_join", "fork_wait")


def fig_launch(report):
    """Thread create+join and fork+wait (one panel), pool start and dispatch against workers."""
    runs = [r for r in report.select("launch") if r.center("real_time")]
    if not runs:
        raise Skip("no launch results")
    once = [r for r in runs if r.policy in ONE_WORKER_POLICIES]
    start = [r for r in runs if r.policy == "start" and is_number(r.workers)]
    dispatch = [r for r in runs if r.policy == "dispatch" and is_number(r.workers)]
    panels = [p for p in (("once", once), ("start", start), ("dispatch", dispatch)) if p[1]]
    fig, axes = new_figure(1, len(panels), 6.0 * len(panels), 6.4)
    for ax, (kind, mine) in zip(axes[0], panels):
        if kind == "once":
            launch_bars(ax, mine)
            continue
        what = ("pool/arena start (once, before any job)" if kind == "start" else
                "dispatch: hand one empty job to the workers and collect it")
        counts = int_workers(mine)
        if len(counts) == 1:  # one worker count: bars, not points on a one-tick axis
            workers_bars(ax, mine, report.registry)
            what += f"\nat {counts[0]} workers, the one count measured"
        else:
            launch_lines(ax, mine, report.usable_cpus, report.registry)
        ax.set_title(what, fontsize=10)
    title = ("Launch costs: starting workers and handing them work (dashed or hatched: workers "
             "spawned per job)")
    return [("launch", finish(fig, title, report.stamp(),
                              interval_note(report.repetition_counts())))]


def launch_label(run):
    if run.policy == "create_join":
        return "thread create + join"
    size = "empty process" if not run.bytes else f"{bytes_text(run.bytes)} {run.mapping or ''}"
    return f"fork + wait, {size}".strip()


def time_text(microseconds):
    return f"{microseconds:,.0f} µs" if microseconds >= 100 else f"{microseconds:.3g} µs"


def time_bars(ax, runs, labels, **style):
    """A bar per run, the first on top: its time (µs, log x) written beside it."""
    found = [scaled(r.stat("real_time"), MICRO) for r in runs]
    ys = list(range(len(runs)))
    ax.barh(ys, [e.center for e in found], xerr=interval_errors(found, log=True),
            color=[backend_color(r.backend) for r in runs], alpha=0.85, capsize=3, **style)
    ax.set_yticks(ys, labels, fontsize=8)
    ax.invert_yaxis()
    log_axis(ax, "x")
    for y, e in zip(ys, found):
        ax.text(e.top() * 1.1, y, time_text(e.center), va="center", ha="left", fontsize=8)
    ax.set_xlim(min(e.center for e in found) / 3, max(e.top() for e in found) * 8)
    ax.grid(True, axis="x", alpha=0.3)


def launch_bars(ax, runs):
    """One bar per way of starting one worker, its time written beside it."""
    runs = sorted(runs, key=lambda r: (backend_rank(r), r.bytes or 0, str(r.mapping)))
    time_bars(ax, runs, [launch_label(r) for r in runs])
    ax.set_xlabel("time per worker started and joined (µs, log)")
    ax.set_title("one worker: thread create+join, process fork+wait", fontsize=10)
    handles = [Patch(color=backend_color(b), label=b) for b in backends_of(runs)]
    ax.legend(handles=handles, fontsize=8, loc="lower right")


def workers_bars(ax, runs, registry):
    """One bar per backend and launch, at the one worker count of these runs."""
    def order(run):
        launches = registry.launches(run.backend)
        return (backend_rank(run), launches.index(run.launch) if run.launch in launches else 99,
                str(run.launch))

    runs = sorted(runs, key=order)
    time_bars(ax, runs, [f"{r.backend} {r.launch}" for r in runs],
              hatch=[("//" if LAUNCH_STYLES.get(r.launch) else None) for r in runs])
    ax.set_xlabel("time (µs, log; hatched: workers spawned per job)")


def launch_lines(ax, runs, usable, registry):
    """Time against workers, one line per backend and launch."""
    for backend in backends_of(runs):
        mine = [r for r in runs if r.backend == backend]
        launches = ordered({r.launch for r in mine}, registry.launches(backend))
        for i, launch in enumerate(launches):
            points = [(r.workers, scaled(r.stat("real_time"), MICRO)) for r in mine
                      if r.launch == launch]
            plot_series(ax, points, log_y=True, color=backend_color(backend),
                        linestyle=LAUNCH_STYLES.get(launch, "-"),
                        marker=MARKERS[i % len(MARKERS)], label=f"{backend} {launch}")
    log_axis(ax)
    mark_usable(ax, usable)
    workers_axis(ax, int_workers(runs))
    ax.set_ylabel("time (µs, log)")
    ax.grid(True, alpha=0.3)
    legend_below(ax, ncol=3)
