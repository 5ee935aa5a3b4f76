"""The gallery: the reference reports of several machines (reports/<machine>/) side by side, in
numbers that compare across machines: the fraction of the machine's own read bandwidth each
backend reaches, speedup and efficiency at the machine's usable CPUs, the seed tasks' makespan
over the schedule model's, and what handing out one empty job costs. The numbers and the page
use only the standard library; gallery_figures.py draws them.
"""

import os
from typing import NamedTuple, Optional

from .page import document, esc, figure_html, gbps, sig, time_text
from .palette import ordered
from .report import (InputError, bytes_text, cpu_text, is_number, load_report, plural,
                     without_endings)
from .selection import (SEED_WORKERS, best_config, config_label, config_of, int_workers,
                        main_workers, sum_results)
from .stats import Estimate, ratio

# A machine's folder holds its reference report as full.json.gz (or full.json); a folder
# without one holds reports of its own choosing: each *.json or *.json.gz is one.
REFERENCE_NAMES = ("full.json.gz", "full.json")
REPORT_ENDINGS = (".json", ".json.gz")


class Machine:
    """A column of the gallery: one report of one machine, named after its folder."""

    def __init__(self, name, report):
        self.name = name
        self.report = report


def reports_in(folder):
    """The reference report of a machine's folder, else every report in it; [] for none."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as e:
        raise InputError(f"cannot read {folder}: {e.strerror or e}") from None
    for reference in REFERENCE_NAMES:
        if reference in names and os.path.isfile(os.path.join(folder, reference)):
            return [os.path.join(folder, reference)]
    return [os.path.join(folder, n) for n in names if n.endswith(REPORT_ENDINGS)
            and os.path.isfile(os.path.join(folder, n))]


def machine_name(folder, path, several):
    name = os.path.basename(os.path.normpath(folder)) or folder
    if not several:
        return name
    return f"{name}/{without_endings(os.path.basename(path), ('.gz', '.json'))}"


def find_machines(paths):
    """The machines of the command line: a report file is a machine (named after its folder);
    a folder with reports is one; a folder of such folders (reports/) is each of them.
    InputError with one line where a path holds no report, or a report is bad."""
    found = []  # (name, path)
    for path in paths:
        if os.path.isfile(path):
            found.append((machine_name(os.path.dirname(os.path.abspath(path)), path, False),
                          path))
            continue
        if not os.path.isdir(path):
            raise InputError(f"cannot read {path}: no such file or folder")
        own = reports_in(path)
        folders = [(path, own)] if own else [
            (sub, reports_in(sub)) for sub in (os.path.join(path, n)
                                               for n in sorted(os.listdir(path)))
            if os.path.isdir(sub)]
        folders = [(folder, files) for folder, files in folders if files]
        if not folders:
            raise InputError(f"{path} holds no reports: looked for full.json.gz, full.json or "
                             "*.json in it and in each folder in it")
        for folder, files in folders:
            found += [(machine_name(folder, f, len(files) > 1), f) for f in files]
    machines, names = [], set()
    for name, path in found:
        unique, n = name, 2
        while unique in names:
            unique, n = f"{name} ({n})", n + 1
        names.add(unique)
        report = load_report(path)
        report.label = unique
        machines.append(Machine(unique, report))
    return machines


# ----------------------------------------------------------------------------------------------
# The numbers


class Item(NamedTuple):
    """One bar: a backend's (and launch's) value on one machine, and what it is of."""

    backend: str
    label: str  # what was measured: launch and policy, workers
    value: Estimate
    launch: Optional[str] = None


def largest_size(runs):
    return max((r.bytes for r in runs), default=None)


def config_words(run):
    return " ".join(x for x in (config_label(config_of(run)), f"{run.workers} w") if x)


def at_cpus(report, runs):
    """The worker count that stands for the machine: its usable CPUs, else the nearest below."""
    counts = int_workers(runs)
    return main_workers(counts, report.usable_cpus) if counts else None


def bandwidth_items(report):
    """Each backend's best fraction of the machine's read bandwidth on the largest array, at
    the usable CPUs (the reference: its one worker)."""
    runs = sum_results(report)
    size = largest_size(runs)
    runs = [r for r in runs if r.bytes == size and r.center("bandwidth_fraction")]
    items = []
    for backend in ordered_backends(report, runs):
        mine = [r for r in runs if r.backend == backend]
        workers = at_cpus(report, mine)
        _, chosen = best_config([r for r in mine if r.workers == workers], "bandwidth_fraction")
        best = max(chosen, key=lambda r: r.center("bandwidth_fraction"))
        items.append(Item(backend, config_words(best), best.stat("bandwidth_fraction")))
    return items, size


def speedup_items(report, field):
    """Each parallel backend's speedup (or efficiency) on the largest array at the usable CPUs,
    its best launch/policy."""
    runs = [r for r in report.registry.without_reference(sum_results(report))
            if r.center("speedup")]
    size = largest_size(runs)
    runs = [r for r in runs if r.bytes == size]
    items = []
    for backend in ordered_backends(report, runs):
        mine = [r for r in runs if r.backend == backend]
        workers = at_cpus(report, mine)
        _, chosen = best_config([r for r in mine if r.workers == workers], "speedup")
        best = max(chosen, key=lambda r: r.center("speedup"))
        if best.stat(field):
            items.append(Item(backend, config_words(best), best.stat(field)))
    return items, size, at_cpus(report, runs) if runs else None


def seed_items(report, kernel):
    """Each parallel backend's fastest policy on the seed tasks (else the first task set) at 4
    workers (else the usable CPUs): its makespan over the schedule model's prediction."""
    runs = [r for r in report.registry.without_reference(report.select(kernel))
            if r.center("makespan") and r.center("predicted") and is_number(r.workers)]
    tasks = "seed" if any(r.tasks == "seed" for r in runs) else (runs[0].tasks if runs else None)
    runs = [r for r in runs if r.tasks == tasks]
    workers = main_workers(int_workers(runs), report.usable_cpus, prefer=SEED_WORKERS) \
        if runs else None
    items = []
    for backend in ordered_backends(report, runs):
        mine = [r for r in runs if r.backend == backend and r.workers == workers]
        if not mine:
            continue
        best = min(mine, key=lambda r: r.center("makespan"))
        found = ratio(best.stat("makespan"), Estimate(best.center("predicted")))
        items.append(Item(backend, config_words(best), found))
    return items, tasks, workers


def dispatch_items(report):
    """What handing one empty job to the workers costs, per backend and launch, at the usable
    CPUs: seconds."""
    runs = [r for r in report.select("launch", policy="dispatch")
            if is_number(r.workers) and r.center("real_time")]
    workers = at_cpus(report, runs) if runs else None
    items = []
    for backend in ordered_backends(report, runs):
        mine = [r for r in runs if r.backend == backend and r.workers == workers]
        launches = report.registry.launches(backend)
        for run in sorted(mine, key=lambda r: (launches.index(r.launch)
                                               if r.launch in launches else 99, str(r.launch))):
            items.append(Item(backend, f"{run.launch}, {run.workers} w",
                              run.stat("real_time"), run.launch))
    return items, workers


def ordered_backends(report, runs):
    return ordered({r.backend for r in runs}, report.registry.order)


# ----------------------------------------------------------------------------------------------
# The page


def context_line(machine):
    report = machine.report
    words = [cpu_text(report.context, "unknown CPU")]
    if report.usable_cpus:
        words.append(f"{report.usable_cpus} usable CPUs")
    if report.topology.get("summary"):
        words.append(str(report.topology["summary"]))
    if report.read_bandwidth:
        one = report.read_bandwidth_one_thread
        words.append(f"read bandwidth {gbps(report.read_bandwidth)}"
                     + (f" ({gbps(one)} one thread)" if one else ""))
    llc = report.last_level_cache()
    if llc:
        words.append(f"last-level cache {bytes_text(llc)}")
    words.append(f"{report.host}, {report.date}")
    return ", ".join(words)


def value_text(found, kind):
    if found is None:
        return ""
    if kind == "time":
        text = time_text(found.center)
        interval = (f" ({time_text(found.low)} – {time_text(found.high)})"
                    if found.has_interval else "")
    else:
        text = sig(found.center)
        interval = f" ({sig(found.low)} – {sig(found.high)})" if found.has_interval else ""
    return text + interval


def metrics(machine):
    """[(metric, kind, {backend key: Item})] of one machine, in the gallery's order."""
    report = machine.report
    bandwidth, _ = bandwidth_items(report)
    speedups, _, _ = speedup_items(report, "speedup")
    efficiencies, _, _ = speedup_items(report, "efficiency")
    sleep, _, _ = seed_items(report, "sleep")
    spin, _, _ = seed_items(report, "spin")
    dispatch, _ = dispatch_items(report)
    return [
        ("fraction of own read bandwidth (largest array)", "plain", bandwidth),
        ("speedup at the usable CPUs (largest array)", "plain", speedups),
        ("efficiency at the usable CPUs (largest array)", "plain", efficiencies),
        ("makespan / model, sleeping seed tasks", "plain", sleep),
        ("makespan / model, spinning seed tasks", "plain", spin),
        ("dispatch of one empty job", "time", dispatch),
    ]


def numbers_table(machines):
    """Every number of the figures: a row per metric and backend, a column per machine."""
    rows = {}  # (metric index, metric, kind, row key) -> {machine: text}
    for column, machine in enumerate(machines):
        for index, (metric, kind, items) in enumerate(metrics(machine)):
            for item in items:
                key = item.backend + (f" {item.launch}" if item.launch else "")
                cell = rows.setdefault((index, metric, kind, key), {})
                cell[column] = (value_text(item.value, kind), item.label)
    head = "".join(f"<th>{esc(m.name)}</th>" for m in machines)
    body = []
    for (index, metric, kind, key), cells in sorted(rows.items(), key=lambda kv: kv[0][0]):
        tds = "".join(
            f'<td class="n" title="{esc(cells[c][1])}">{esc(cells[c][0])}</td>'
            if c in cells else "<td></td>" for c in range(len(machines)))
        body.append(f"<tr><th>{esc(metric)}</th><td>{esc(key)}</td>{tds}</tr>")
    return (f'<div class="scroll"><table class="gallery"><thead><tr><th>what</th>'
            f"<th>backend</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def gallery_page(machines, figures):
    """The gallery page: each machine's context line, the figures, every number."""
    names = ", ".join(m.name for m in machines)
    items = "".join(f"<li><b>{esc(m.name)}</b>: {esc(context_line(m))} "
                    f'<span class="note">({esc(m.report.path)})</span></li>' for m in machines)
    parts = [f"<h1>parbench: {plural(len(machines), 'machine', 'machines')} side by side</h1>",
             '<p class="note">Each machine against itself: bandwidth as a fraction of the '
             "read bandwidth measured on that machine, speedup and efficiency at that "
             "machine's usable CPUs, task makespans over that machine's schedule model. "
             "Points and bars: the median and its 95% interval (the range, with fewer than 6 "
             "repetitions).</p>",
             f"<h2>Machines</h2><ul>{items}</ul>", "<h2>Figures</h2>"]
    if figures:
        parts += [figure_html(name, svg, f"g{n}-", extras)
                  for n, (name, svg, extras) in enumerate(figures)]
    else:
        parts.append('<p class="note">No figure could be drawn from these reports.</p>')
    parts += ["<h2>Every number</h2>",
              '<p class="note">The values of the figures (hover a cell for the launch, policy '
              "and workers it is of).</p>", numbers_table(machines)]
    return document(f"parbench gallery: {names}", "\n".join(parts))
