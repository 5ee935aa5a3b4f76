"""The gallery's figure: machines side by side in numbers each normalised by its own machine
(gallery.py): a group of bars per machine, a bar per backend in its colour."""

import math

from matplotlib.patches import Patch

from .gallery import bandwidth_items, dispatch_items, seed_items, speedup_items
from .palette import backend_color, in_backend_order
from .report import bytes_text
from .selection import Skip
from .stats import interval_note, scaled
from .style import finish, interval_errors, log_axis, new_figure

MICRO = 1e6


def value_label(value, digits=2):
    """A bar's value above it: a few digits, or a whole number from 1000 on."""
    return f"{value:,.0f}" if value >= 1000 else f"{value:.{digits}g}"


def grouped_bars(ax, machines, items_of, log=False, ideal=None, digits=2):
    """A group of bars per machine (items_of(machine) -> [Item]), each bar a backend in its
    colour with its interval; `ideal(machine)` a short grey line across that machine's group.
    The backends drawn, in order."""
    backends, tops = [], []
    for group, machine in enumerate(machines):
        items = items_of(machine)
        if not items:
            continue
        width = 0.8 / len(items)
        xs = [group - 0.4 + width * (i + 0.5) for i in range(len(items))]
        found = [i.value for i in items]
        ax.bar(xs, [e.center for e in found], width=width * 0.92,
               yerr=interval_errors(found, log), capsize=2,
               color=[backend_color(i.backend) for i in items], alpha=0.85,
               hatch=["//" if i.launch == "spawn" else None for i in items])
        for x, e in zip(xs, found):
            ax.text(x, e.top(), value_label(e.center, digits), ha="center", va="bottom", fontsize=7,
                    rotation=90 if len(items) > 4 else 0)
        if ideal and ideal(machine) is not None:
            ax.hlines(ideal(machine), group - 0.45, group + 0.45, colors="0.35",
                      linestyles="--", linewidth=1.2)
        backends += [i.backend for i in items if i.backend not in backends]
        tops += [e.top() for e in found]
    ax.set_xticks(range(len(machines)), [m.name for m in machines], fontsize=9)
    ax.set_xlim(-0.6, len(machines) - 0.4)
    if log:
        log_axis(ax)
        if tops:  # room above the tallest bar for its value
            ax.set_ylim(top=max(tops) * 12)
    elif tops:
        ax.set_ylim(0, max(tops + [ideal(m) or 0 for m in machines] if ideal else tops) * 1.22)
    ax.grid(True, axis="y", alpha=0.3)
    return backends


def size_note(sizes):
    sizes = {s for s in sizes if s}
    return f", array of {bytes_text(sizes.pop())}" if len(sizes) == 1 else ", largest array"


# A panel of the gallery: (title, draw(ax) -> the backends drawn, y label).


def bandwidth_panels(machines):
    bandwidth = {id(m): bandwidth_items(m.report) for m in machines}
    if not any(items for items, _ in bandwidth.values()):
        return []
    note = size_note(size for _, size in bandwidth.values())
    return [(f"fraction of own read bandwidth{note}, usable CPUs",
             lambda ax: grouped_bars(ax, machines, lambda m: bandwidth[id(m)][0],
                                     ideal=lambda m: 1.0),
             "bandwidth / read bandwidth")]


def speedup_panels(machines):
    panels = []
    for field in ("speedup", "efficiency"):
        found = {id(m): speedup_items(m.report, field) for m in machines}
        if any(items for items, _, _ in found.values()):
            def ideal(m, field=field, found=found):
                workers, usable = found[id(m)][2], m.report.usable_cpus
                if workers is None:
                    return None
                best = min(workers, usable) if usable else workers
                return best if field == "speedup" else best / workers

            note = size_note(size for _, size, _ in found.values())
            panels.append((f"{field} at the usable CPUs{note}",
                           lambda ax, found=found, ideal=ideal: grouped_bars(
                               ax, machines, lambda m: found[id(m)][0], ideal=ideal),
                           f"{field} (dashed: ideal)"))
    return panels


def seed_panels(machines):
    panels = []
    for kernel in ("sleep", "spin"):
        found = {id(m): seed_items(m.report, kernel) for m in machines}
        if any(items for items, _, _ in found.values()):
            tasks = {t for _, t, _ in found.values() if t}
            workers = {w for _, _, w in found.values() if w}
            what = f"tasks {tasks.pop()}" if len(tasks) == 1 else "seed tasks"
            at = f", {workers.pop()} workers" if len(workers) == 1 else ""
            doing = {"sleep": "sleeping", "spin": "spinning"}.get(kernel, kernel)
            panels.append((f"makespan / model, {doing} {what}{at}",
                           lambda ax, found=found: grouped_bars(
                               ax, machines, lambda m: found[id(m)][0], ideal=lambda m: 1.0,
                               digits=3),
                           "makespan / predicted (1: as the model says)"))
    return panels


def dispatch_panels(machines):
    dispatch = {id(m): dispatch_items(m.report) for m in machines}
    if not any(items for items, _ in dispatch.values()):
        return []

    def micro(m):
        return [i._replace(value=scaled(i.value, MICRO)) for i in dispatch[id(m)][0]]

    return [("dispatch of one empty job, usable CPUs",
             lambda ax: grouped_bars(ax, machines, micro, log=True, digits=3),
             "µs (log; hatched: workers spawned per job)")]


def fig_gallery(machines):
    """Up to six panels; a panel no machine has data for is left out."""
    panels = (bandwidth_panels(machines) + speedup_panels(machines) + seed_panels(machines)
              + dispatch_panels(machines))
    if not panels:
        raise Skip("no sum, task or launch results in any of the reports")
    ncols = min(2, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    width = max(5.5, 1.1 + 1.9 * len(machines))
    fig, axes = new_figure(nrows, ncols, width * ncols, 4.1 * nrows + 1.0)
    backends = []
    for ax, (title, draw, ylabel) in zip(axes.flat, panels):
        backends += [b for b in draw(ax) if b not in backends]
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    handles = [Patch(color=backend_color(b), alpha=0.85, label=b)
               for b in in_backend_order(backends)]
    axes.flat[0].legend(handles=handles, loc="upper right", ncol=min(3, len(handles)),
                        fontsize=7.5, framealpha=0.85)
    stamp = " | ".join(m.report.stamp() for m in machines)
    bars = interval_note([n for m in machines for n in m.report.repetition_counts()])
    return [("gallery", finish(fig, "Machines side by side, each against itself", stamp,
                               bars))]


GALLERY_FIGURES = [fig_gallery]
