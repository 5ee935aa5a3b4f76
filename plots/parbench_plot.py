#!/usr/bin/env python3
"""Draws parbench reports (reports/SCHEMA.md) as PNG and SVG figures.

Run it through plots/plot, which finds a Python 3 with matplotlib:
    plots/plot --out DIR REPORT [REPORT...]

One report gives one set of figures; several reports give each its own set (file names start
with the report's name) plus figures that put them side by side (compare_*). A figure whose
data is not in a report is skipped with a note on stderr. A report may be gzip-compressed,
incomplete ("complete": false), or the journal of an unfinished run (<report>.partial): it is
drawn from what it holds, and stderr says once that the run is unfinished. Only regular files
of at most 512 MiB (also once decompressed) are read. Only the standard library and matplotlib
are used. What the figures know of a backend (the reference, the order, launches, which policy
is contiguous and which strided) comes from the report's registry (`context.backends`), or for
a report older than that key from KNOWN_BACKENDS.
"""

import argparse
import gzip
import json
import math
import os
import re
import stat
import statistics
import sys
import warnings
import zlib

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import ticker
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.transforms import ScaledTranslation, blended_transform_factory
except ImportError:
    sys.stderr.write("plot: this Python has no matplotlib; install it with: "
                     "apt-get install python3-matplotlib\n")
    sys.exit(77)

PROG = "plot"
DPI = 130
EXIT_FIGURE_FAILED = 1
EXIT_BAD_INPUT = 2

# The five backends that reports carried before they recorded their registry of backends
# (`context.backends`, reports/SCHEMA.md), in that registry's form and order, each with its fixed
# colour. This is the one place the plot names a backend. A report older than the key (the
# committed reference reports among them) reads this as its registry: which backend is the
# reference, the order, the launches, and which sum policy splits into contiguous blocks and
# which into strided slices (DESIGN.md: backends and policies). In every report these five keep
# their colours, so that the figures keep their look; any other backend takes SPARE_COLORS.
KNOWN_BACKENDS = [
    {"name": "serial", "color": "#4d4d4d", "reference": True, "launches": ["inline"],
     "sum_policies": [{"name": "block", "split": "block"}]},
    {"name": "thread", "color": "#1f77b4", "launches": ["spawn", "pool"],
     "sum_policies": [{"name": "block", "split": "block"}, {"name": "cyclic", "split": "cyclic"}]},
    {"name": "fork", "color": "#d62728", "launches": ["spawn", "pool"],
     "sum_policies": [{"name": "block", "split": "block"}, {"name": "cyclic", "split": "cyclic"}]},
    {"name": "openmp", "color": "#2ca02c", "launches": ["team"],
     "sum_policies": [{"name": "static", "split": "block"},
                      {"name": "static1", "split": "cyclic"}]},
    {"name": "tbb", "color": "#ff7f0e", "launches": ["arena"], "sum_policies": []},
]
# Backends beyond the known five take these in turn, in the order the registries list them.
SPARE_COLORS = ["#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
# Lines of one backend (its launches and policies), or of one report next to another.
LINE_STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ("-", "v"), ("--", "P"),
               (":", "X"), ("-.", "*")]
# The generic splits (a policy's `split`) that the sum_split figure sets side by side.
CONTIGUOUS_SPLIT, STRIDED_SPLIT = "block", "cyclic"
TIME_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
TIME_FIELDS = ("real_time", "cpu_time")
INVERSE_TIME_FIELDS = ("speedup", "efficiency", "bytes_per_second", "bandwidth_fraction")
TASK_KERNELS = ("sleep", "spin")
SEED_WORKERS = 4  # the design's seed question: 2,4,6,8,1,3,5,7 on 4 workers


class InputError(Exception):
    """Bad arguments or a bad report: one line on stderr, exit status 2."""


class Skip(Exception):
    """A figure whose data the report does not have."""


# ----------------------------------------------------------------------------------------------
# Loading


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class Run:
    """One benchmark of a report (one `params`): its repetitions and its aggregates."""

    def __init__(self, params):
        self.params = params
        self.reps = []  # run_type "iteration" entries
        self.aggs = {}  # aggregate_name -> entry

    def __getattr__(self, name):
        if name in ("kernel", "backend", "launch", "policy", "workers", "size", "bytes",
                    "tasks", "unit", "task_count", "mapping"):
            return self.params.get(name)
        raise AttributeError(name)

    @staticmethod
    def _field(entry, field):
        value = entry.get(field)
        if not is_number(value):
            return None
        if field in TIME_FIELDS:
            value *= TIME_UNITS.get(entry.get("time_unit"), 1e-9)
        return float(value)

    def values(self, field):
        """The field on every repetition (times in seconds)."""
        return [v for v in (self._field(e, field) for e in self.reps) if v is not None]

    def stat(self, field):
        """(mean, stddev) over the repetitions, else from the mean/stddev aggregates; or None."""
        values = self.values(field)
        if values:
            spread = statistics.stdev(values) if len(values) > 1 else 0.0
            return statistics.fmean(values), spread
        for name in ("mean", "median"):
            if name in self.aggs:
                center = self._field(self.aggs[name], field)
                if center is not None:
                    return center, self._aggregate_spread(field, center)
        return None

    def _aggregate_spread(self, field, center):
        """The stddev aggregate of the field; for figures that go as 1/time (which parbench
        writes on mean and median only), the relative stddev of the time."""
        stddev = self.aggs.get("stddev", {})
        spread = self._field(stddev, field)
        if spread is None and field in INVERSE_TIME_FIELDS:
            time_sd = self._field(stddev, "real_time")
            time_mean = self._field(self.aggs.get("mean", {}), "real_time")
            if time_sd is not None and time_mean:
                spread = abs(center) * time_sd / time_mean
        return spread or 0.0

    def center(self, field):
        found = self.stat(field)
        return found[0] if found else None

    def last_timeline(self):
        """The last repetition's entry, if it carries a usable timeline."""
        def index(entry):
            value = entry.get("repetition_index")
            return value if is_number(value) else 0

        for entry in sorted(self.reps, key=index, reverse=True):
            timeline = entry.get("timeline")
            if isinstance(timeline, list) and timeline:
                items = [t for t in timeline if isinstance(t, dict) and all(
                    is_number(t.get(k)) for k in ("worker", "start", "end"))]
                if items:
                    return entry, items
        return None


class Report:
    def __init__(self, path, context, runs, notes=()):
        self.path = path
        self.context = context
        self.runs = runs
        self.notes = list(notes)  # said on stderr once every report has been read
        self.unfinished = context.get("complete") is False
        self.host = str(context.get("host_name") or "unknown host")
        self.date = short_date(context.get("date"))
        self.label = f"{self.host} {self.date}".strip()
        name = os.path.basename(path)
        for suffix in (".gz", ".partial"):  # a journal's figures are named after its report
            name = name[: -len(suffix)] if name.endswith(suffix) else name
        self.tag = re.sub(r"[^A-Za-z0-9_.-]+", "_", os.path.splitext(name)[0])
        if self.tag == "compare":  # its figures would be named like the compare_* ones
            self.tag = "compare-report"
        usable = context.get("usable_cpus")
        self.usable_cpus = int(usable) if is_number(usable) and usable > 0 else None
        self.registry = read_registry(path, context)

    def stamp(self):
        """The machine in a figure's corner: host names alone (often "localhost") say little."""
        cpu = str(self.context.get("cpu_model") or "").strip()
        cpus = f"{self.usable_cpus} CPUs" if self.usable_cpus else ""
        what = ", ".join(x for x in (cpu, cpus) if x)
        stamp = f"{self.host} ({what}) · {self.date}" if what else f"{self.host} · {self.date}"
        return stamp + " · unfinished run" if self.unfinished else stamp

    def select(self, kernel, **match):
        return [r for r in self.runs if r.kernel == kernel
                and all(r.params.get(k) == v for k, v in match.items())]


class Registry:
    """What a report says about its backends: `context.backends`, or KNOWN_BACKENDS for a
    report older than that key. Facts about a backend come from here, never from its name."""

    def __init__(self, entries, from_report):
        self.from_report = from_report
        self.order = [b["name"] for b in entries]
        self.reference = next((b["name"] for b in entries if b.get("reference") is True), None)
        self._launches = {b["name"]: list(b.get("launches") or []) for b in entries}
        self._sum_policies = {b["name"]: list(b.get("sum_policies") or []) for b in entries}

    def launches(self, backend):
        """The backend's launches in the registry's order; empty where it lists none."""
        return self._launches.get(backend, [])

    def sum_policy(self, backend, split):
        """The name of the backend's first sum policy with this generic split, or None."""
        return next((p["name"] for p in self._sum_policies.get(backend, [])
                     if p.get("split") == split), None)

    def reference_runs(self, runs):
        return [r for r in runs if r.backend == self.reference]

    def without_reference(self, runs):
        return [r for r in runs if r.backend != self.reference]

    def reference_name(self):
        """For labels: "speedup over serial"."""
        return self.reference or "the reference"


def printable(text):
    """Text from a report for a message on one line."""
    return re.sub(r"[\x00-\x1f]", "?", text[:80])


def check_field(path, place, entry, key, wanted):
    """Raises InputError where entry[key] is there but not what `wanted` accepts."""
    kinds = {"true or false": lambda v: isinstance(v, bool),
             "a string": lambda v: isinstance(v, str),
             "an array of strings": lambda v: isinstance(v, list)
             and all(isinstance(x, str) for x in v)}
    if key in entry and not kinds[wanted](entry[key]):
        raise InputError(f"{path}: '{place}.{key}' is {json_type(entry[key])}, not {wanted}")


def check_named(path, place, entry):
    """An object with a non-empty string `name`: a backend or a policy of the registry."""
    if not isinstance(entry, dict):
        raise InputError(f"{path}: '{place}' is {json_type(entry)}, not an object")
    if "name" not in entry:
        raise InputError(f"{path}: '{place}' has no 'name'")
    if not (isinstance(entry["name"], str) and entry["name"]):
        raise InputError(f"{path}: '{place}.name' is {json_type(entry['name'])}, "
                         "not a non-empty string")


def check_backend(path, place, backend):
    """One entry of `context.backends`. Fields are optional but for the name, so that a report of
    a later parbench that drops one still reads; a field that is there must have its type."""
    check_named(path, place, backend)
    for key in ("reference", "reports_children_cpu"):
        check_field(path, place, backend, key, "true or false")
    for key in ("launches", "timed_starts"):
        check_field(path, place, backend, key, "an array of strings")
    for key in ("sum_policies", "task_policies"):
        policies = backend.get(key, [])
        if not isinstance(policies, list):
            raise InputError(f"{path}: '{place}.{key}' is {json_type(policies)}, "
                             "not an array of policies")
        for index, policy in enumerate(policies):
            where = f"{place}.{key}[{index}]"
            check_named(path, where, policy)
            check_field(path, where, policy, "split", "a string")
            for flag in ("takes_grain", "longest_first"):
                check_field(path, where, policy, flag, "true or false")


def read_registry(path, context):
    """The report's registry of backends, or for a report older than `context.backends` the
    fallback KNOWN_BACKENDS; InputError with one line where the registry is malformed, names a
    backend twice or marks more than one reference (which would leave "the reference" a guess)."""
    if "backends" not in context:
        return Registry(KNOWN_BACKENDS, from_report=False)
    backends = context["backends"]
    if not isinstance(backends, list):
        raise InputError(f"{path}: 'context.backends' is {json_type(backends)}, "
                         "not an array of backends")
    for index, backend in enumerate(backends):
        check_backend(path, f"context.backends[{index}]", backend)
    names = [b["name"] for b in backends]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice is not None:
        raise InputError(f"{path}: 'context.backends' names the backend '{printable(twice)}' "
                         "twice")
    references = [printable(b["name"]) for b in backends if b.get("reference") is True]
    if len(references) > 1:
        raise InputError(f"{path}: 'context.backends' marks {len(references)} backends as the "
                         f"reference ('{references[0]}', '{references[1]}'): a report has one")
    return Registry(backends, from_report=True)


def short_date(value):
    text = str(value or "")
    found = re.match(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})", text)
    return f"{found.group(1)} {found.group(2)}" if found else text


# The most a report may hold, also once decompressed, as for parbench-compare: the full suite's
# report is 22 MB, so anything past this is a mistake (or /dev/zero, or a gzip bomb).
MAX_INPUT_BYTES = 512 << 20
READ_CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
JOURNAL_VERSION = 1


def check_regular(path, info):
    """Only regular files are read: a FIFO or a socket blocks until someone writes, a device
    such as /dev/zero never ends."""
    mode = info.st_mode
    if stat.S_ISREG(mode):
        if info.st_size > MAX_INPUT_BYTES:
            raise InputError(f"{path} is larger than {MAX_INPUT_BYTES >> 20} MiB: not a report")
        return
    if stat.S_ISDIR(mode):
        kind = "a directory"
    elif stat.S_ISFIFO(mode):
        kind = "a FIFO (named pipe)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:
        kind = "not a regular file"
    hint = ": only regular files are read" if stat.S_ISFIFO(mode) else ""
    raise InputError(f"cannot read {path}: it is {kind}, not a report{hint}")


def open_regular(path):
    check_regular(path, os.stat(path))
    # O_NONBLOCK and the second look: the path may name something else by the time it is opened.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        check_regular(path, os.fstat(fd))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(stream, path, once=""):
    """At most MAX_INPUT_BYTES from `stream`, a piece at a time: a gzip bomb is stopped while
    it inflates, not once it is all in memory."""
    data = bytearray()
    while True:
        piece = stream.read(READ_CHUNK)
        if not piece:
            return data
        if len(data) + len(piece) > MAX_INPUT_BYTES:
            raise InputError(f"{path} is larger than {MAX_INPUT_BYTES >> 20} MiB{once}: "
                             "not a report")
        data += piece


def read_input(path):
    """The bytes of a report file, gunzipped where it is gzip (reference reports are committed
    compressed); InputError with one line on anything wrong."""
    try:
        with open_regular(path) as f:
            if f.peek(2)[:2] == GZIP_MAGIC:
                with gzip.GzipFile(fileobj=f) as unpacked:
                    return read_capped(unpacked, path, " once decompressed")
            return read_capped(f, path)
    except (EOFError, zlib.error, gzip.BadGzipFile):
        raise InputError(f"cannot read {path}: not a whole gzip file") from None
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None


def json_type(value):
    """"a string", "an array", "null": for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object"}.get(type(value), "a value")


def parse_json_text(text, one_line=False):
    """(value, None), or (None, why) where the text is not JSON."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as e:
        where = f": column {e.colno}" if one_line else f" at line {e.lineno} column {e.colno}"
        return None, e.msg + where
    except RecursionError:
        return None, "nested too deeply"


def is_journal(text):
    """A journal is known by its content: the first line is an object with "parbench_journal"."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    if '"parbench_journal"' not in first:
        return False
    value, _ = parse_json_text(first)
    return isinstance(value, dict) and "parbench_journal" in value


def report_from_journal(text, path):
    """The report a journal (<report>.partial, JSON Lines) will become, and how many benchmarks
    it holds: the last session header's context, marked incomplete, and every finished
    benchmark's entries in order, a benchmark written twice (a resumed run ran it again)
    counting once, with its later entries. The last line may be torn by a kill (no newline, or
    not JSON) and is then left out; any other bad line means the file is not a journal."""
    lines = text.split("\n")
    torn = lines.pop()  # what follows the last newline: empty, or a line cut off
    context, finished = {}, {}
    for number, line in enumerate(lines, 1):
        value, why = parse_json_text(line, one_line=True)
        if why and number == len(lines) and not torn:
            break
        where = f"{path}: journal line {number}"
        if why:
            raise InputError(f"{path} is not a parbench journal: line {number} is not JSON ({why})")
        if not isinstance(value, dict):
            raise InputError(f"{path} is not a parbench journal: line {number} is "
                             f"{json_type(value)}, not an object")
        if "parbench_journal" in value:
            version = value["parbench_journal"]
            if type(version) is not int or version != JOURNAL_VERSION:
                raise InputError(f"{where}: journal format {json.dumps(version)[:40]} is not "
                                 f"known (this plot reads format {JOURNAL_VERSION})")
            context = value.get("session")
            if not isinstance(context, dict):
                raise InputError(f"{where}: the session header's 'session' is "
                                 f"{json_type(context)}, not an object")
        elif "benchmark" in value:
            name, entries = value["benchmark"], value.get("entries")
            if not isinstance(name, str):
                raise InputError(f"{where}: 'benchmark' is {json_type(name)}, not a string")
            if not isinstance(entries, list):
                raise InputError(f"{where}: 'entries' is {json_type(entries)}, not an array")
            finished[name] = entries  # a name seen before keeps its place, with these entries
        else:
            raise InputError(f"{path} is not a parbench journal: line {number} is neither a "
                             "session header nor a finished benchmark")
    benchmarks = [entry for entries in finished.values() for entry in entries]
    if not benchmarks:
        raise InputError(f"{path} is a journal of an unfinished run in which no benchmark has "
                         "finished yet")
    return {"context": dict(context, complete=False, journal=True),
            "benchmarks": benchmarks}, len(finished)


def plural(count, one, many):
    return f"{count} {one if count == 1 else many}"


def completeness_note(path, context, journal_benchmarks=None):
    """"X is incomplete: 3 benchmarks not run (interrupted by SIGINT)", or "X is a journal of
    an unfinished run (12 benchmarks finished)"; None for a complete report (one without
    "complete" is older than the key, and was only written when the run had finished)."""
    complete, interrupted, not_run = (context.get(k) for k in ("complete", "interrupted",
                                                                "not_run"))
    if complete is not None and not isinstance(complete, bool):
        raise InputError(f"{path}: 'context.complete' is {json_type(complete)}, "
                         "not true or false")
    if interrupted is not None and not isinstance(interrupted, str):
        raise InputError(f"{path}: 'context.interrupted' is {json_type(interrupted)}, "
                         "not a string or null")
    if not_run is not None and not (isinstance(not_run, list)
                                    and all(isinstance(n, str) for n in not_run)):
        raise InputError(f"{path}: 'context.not_run' is {json_type(not_run)}, "
                         "not an array of benchmark names")
    if journal_benchmarks is not None:
        return (f"{path} is a journal of an unfinished run "
                f"({plural(journal_benchmarks, 'benchmark', 'benchmarks')} finished)")
    if complete is not False:
        return None
    note = f"{path} is incomplete"
    if not_run is not None:
        note += f": {plural(len(not_run), 'benchmark', 'benchmarks')} not run"
    if interrupted is not None:
        why = re.sub(r"[\x00-\x1f]", "?", interrupted[:80])
        note += " (stopped by its timeout)" if why == "timeout" else f" (interrupted by {why})"
    return note


def load_report(path):
    """Reads and checks one report, or the journal of an unfinished run; InputError with one
    line on anything wrong. What the user should know about it is in the report's notes."""
    try:
        text = read_input(path).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not JSON: not UTF-8 text") from None
    journal_benchmarks = None
    if is_journal(text):
        data, journal_benchmarks = report_from_journal(text, path)
    else:
        data, why = parse_json_text(text)
        if why:
            raise InputError(f"{path} is not JSON: {why}")
    del text
    if not (isinstance(data, dict) and isinstance(data.get("context"), dict)
            and isinstance(data.get("benchmarks"), list)):
        raise InputError(f"{path} is not a parbench report: it needs a 'context' object "
                         "and a 'benchmarks' list")
    unfinished = completeness_note(path, data["context"], journal_benchmarks)
    notes = [f"note: {unfinished}"] if unfinished else []
    entries = data["benchmarks"]
    if not entries:
        raise InputError(f"{path} is an empty report: it has no benchmarks")
    runs, with_params, failed = {}, 0, 0
    for entry in entries:
        params = entry.get("params") if isinstance(entry, dict) else None
        if not (isinstance(params, dict) and isinstance(params.get("kernel"), str)
                and isinstance(params.get("backend"), str)):
            continue
        with_params += 1
        if entry.get("error_occurred"):
            failed += 1
            continue
        run = runs.setdefault(json.dumps(params, sort_keys=True), Run(params))
        if entry.get("run_type") == "aggregate":
            run.aggs[str(entry.get("aggregate_name"))] = entry
        else:
            run.reps.append(entry)
    if not with_params:
        raise InputError(f"{path} is not a parbench report: its benchmarks have no 'params' "
                         "(plain Google Benchmark output?)")
    if not runs:
        raise InputError(f"{path} has no results: all {failed} of its benchmarks failed")
    if failed:
        notes.append(f"{path}: {failed} benchmark entries reported errors and are left out")
    return Report(path, data["context"], list(runs.values()), notes)


def label_reports(reports):
    """Gives reports that share host and date a distinguishing label, and unique file tags."""
    labels = [r.label for r in reports]
    tags = set()
    for report in reports:
        if labels.count(report.label) > 1:
            report.label += f" ({os.path.basename(report.path)})"
        tag, n = report.tag, 2
        while tag in tags:
            tag, n = f"{report.tag}-{n}", n + 1
        report.tag = tag
        tags.add(tag)


def note(message):
    sys.stderr.write(f"{PROG}: {message}\n")


# ----------------------------------------------------------------------------------------------
# Shared helpers: grouping, choosing lines, formatting


def ordered(keys, order):
    return sorted(keys, key=lambda k: (order.index(k) if k in order else len(order), str(k)))


class BackendLook:
    """How the backends look in every figure of one command, whichever report they come from:
    in the order the reports' registries list them (then any that a report ran without listing
    it, by name); the known five in their fixed colours, every other backend in SPARE_COLORS in
    turn, by that order, so that its colour does not depend on the figure."""

    def __init__(self, reports=()):
        order = []
        for report in reports:
            order += [b for b in report.registry.order if b not in order]
        order += sorted({r.backend for report in reports for r in report.runs} - set(order))
        fixed = {b["name"]: b["color"] for b in KNOWN_BACKENDS}
        others = [b for b in order if b not in fixed]
        self.order = order
        self.colors = dict(fixed)
        self.colors.update((b, SPARE_COLORS[i % len(SPARE_COLORS)]) for i, b in enumerate(others))

    def rank(self, backend):
        return self.order.index(backend) if backend in self.order else len(self.order)

    def color(self, backend):
        return self.colors.get(backend, "0.5")


_look = BackendLook()  # main() sets it once every report is read


def backends_of(runs):
    return ordered({r.backend for r in runs}, _look.order)


def backend_rank(run):
    """For sorting runs by backend."""
    return _look.rank(run.backend)


def backend_color(backend):
    return _look.color(backend)


def group_by(runs, *keys):
    groups = {}
    for run in runs:
        groups.setdefault(tuple(run.params.get(k) for k in keys), []).append(run)
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


def fmt_bytes(value):
    for unit, size in (("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if value >= size:
            return f"{value / size:.3g} {unit}"
    return f"{value:.3g} B"


def fmt_plain(value, _pos=None):
    return f"{value:g}" if value >= 1e-3 else f"{value:.0e}"


def time_scale(max_seconds):
    """(factor, unit) that puts times of this size into readable numbers."""
    for factor, unit in ((1, "s"), (1e3, "ms"), (1e6, "µs"), (1e9, "ns")):
        if max_seconds * factor >= 1:
            return factor, unit
    return 1e9, "ns"


def bytes_axis(ax, values):
    """Log-2 x axis in bytes, with at most eight labelled powers of two."""
    ax.set_xscale("log", base=2)
    lo = math.floor(math.log2(min(values)))
    hi = math.ceil(math.log2(max(values)))
    step = max(1, math.ceil((hi - lo + 1) / 8))
    ax.xaxis.set_major_locator(ticker.FixedLocator([2.0 ** e for e in range(lo, hi + 1, step)]))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: fmt_bytes(v)))
    ax.xaxis.set_minor_locator(ticker.NullLocator())
    ax.set_xlim(2.0 ** lo / 1.3, 2.0 ** hi * 1.3)


def wide_workers(workers):
    return max(workers) / max(min(workers), 1) >= 16


def workers_axis(ax, workers):
    """Workers on x: log 2 when they span a factor of 16 or more, ticks at each count."""
    if wide_workers(workers):
        ax.set_xscale("log", base=2)
        ax.xaxis.set_minor_locator(ticker.NullLocator())
    ax.xaxis.set_major_locator(ticker.FixedLocator(workers))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel("workers")


def centers(runs, field):
    """The mean of `field` of each run that has it."""
    return [c for c in (r.center(field) for r in runs) if c is not None]


def value_axis(ax, values, log_above=20.0, axis="y"):
    """Log scale when the positive values span more than `log_above`, plain numbers either way."""
    positive = [v for v in values if v > 0]
    if positive and max(positive) / min(positive) > log_above:
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
        target = ax.yaxis if axis == "y" else ax.xaxis
        target.set_major_formatter(ticker.FuncFormatter(fmt_plain))
        target.set_minor_formatter(ticker.NullFormatter())
        return True
    return False


def plot_series(ax, points, log_y=False, **style):
    """points: [(x, (mean, stddev))]; drops what a log axis cannot show."""
    points = sorted((x, s) for x, s in points if s is not None and x is not None)
    if log_y:
        points = [(x, s) for x, s in points if s[0] > 0]
    if not points:
        return None
    xs = [x for x, _ in points]
    ys = [s[0] for _, s in points]
    upper = [s[1] for _, s in points]
    lower = [min(s[1], 0.9 * s[0]) if log_y else s[1] for _, s in points]
    options = {"capsize": 3, "markersize": 5, "linewidth": 1.5, "elinewidth": 1}
    options.update(style)
    return ax.errorbar(xs, ys, yerr=[lower, upper], **options)


def scaled(stat, factor):
    return None if stat is None else (stat[0] * factor, stat[1] * factor)


def new_figure(nrows, ncols, width, height, **kw):
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False,
                             layout="constrained", **kw)
    fig.get_layout_engine().set(rect=(0, 0.025, 1, 0.975))
    return fig, axes


def tidy_log_axes(fig):
    """Log axes get plain-number ticks, at 1-2-5 when they span fewer than three decades (so a
    narrow range still has several labels)."""
    for ax in fig.axes:
        for axis, scale, limits in ((ax.xaxis, ax.get_xscale(), ax.get_xlim()),
                                    (ax.yaxis, ax.get_yscale(), ax.get_ylim())):
            if scale != "log" or isinstance(axis.get_major_locator(), ticker.FixedLocator):
                continue
            lo, hi = sorted(limits)
            narrow = lo > 0 and math.log10(hi / lo) < 2.5
            axis.set_major_locator(ticker.LogLocator(base=10, subs=(1, 2, 5) if narrow else (1,)))
            axis.set_major_formatter(ticker.FuncFormatter(fmt_plain))
            axis.set_minor_formatter(ticker.NullFormatter())


def finish(fig, title, stamp):
    tidy_log_axes(fig)
    fig.suptitle(title, fontsize=13)
    fig.text(0.995, 0.004, stamp, ha="right", va="bottom", fontsize=8, color="0.35")
    return fig


def mark_caches(ax, context):
    """Dotted vertical lines at the data caches' sizes."""
    levels = context.get("cache_levels") or []
    if not isinstance(levels, list) or not levels:
        levels = [{"bytes": c.get("size"), "level": c.get("level"), "type": c.get("type")}
                  for c in (context.get("caches") or []) if isinstance(c, dict)]
    seen = set()
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for cache in levels:
        if not isinstance(cache, dict) or cache.get("type") == "Instruction":
            continue
        size, level = cache.get("bytes"), cache.get("level")
        if not is_number(size) or size <= 0 or (level, size) in seen:
            continue
        seen.add((level, size))
        name = f"L{level}{'d' if cache.get('type') == 'Data' else ''}"
        ax.axvline(size, color="0.45", linestyle=":", linewidth=1)
        ax.text(size, 0.985, f"{name} {fmt_bytes(size)}", transform=trans, rotation=90,
                fontsize=7, color="0.25", ha="right", va="top",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1})


def mark_usable(ax, usable):
    if usable:
        ax.axvline(usable, color="0.5", linestyle="-.", linewidth=1,
                   label=f"usable CPUs = {usable}")


def legend(ax, **kw):
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize=7.5, framealpha=0.85, **kw)


def legend_below(ax, ncol=2, drop=0.55):
    """The legend under the axes (below its x label), where it hides no data."""
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        below = ax.transAxes + ScaledTranslation(0, -drop, ax.figure.dpi_scale_trans)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=below,
                  ncol=ncol, fontsize=7.5, frameon=False)


def legend_right(ax):
    """The legend right of the axes."""
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=7.5, frameon=False)


def shade(color, amount):
    """The colour mixed towards white (amount > 0) or black (amount < 0)."""
    rgb = matplotlib.colors.to_rgb(color)
    target = 1.0 if amount > 0 else 0.0
    return tuple(c + (target - c) * abs(amount) for c in rgb)


SHADES = [0, -0.35, 0.4, -0.6, 0.6, -0.15, 0.2]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LAUNCH_STYLES = {"spawn": "--"}  # spawn per job dashed; pools, teams, arenas solid


# ----------------------------------------------------------------------------------------------
# Sum figures


def sum_runs(report):
    runs = [r for r in report.select("sum") if is_number(r.bytes) and r.bytes > 0
            and is_number(r.workers) and r.center("bytes_per_second")]
    if not runs:
        raise Skip("no sum results with bytes_per_second")
    return runs


def bandwidth_ceilings(ax, context):
    for key, style, what in (("read_bandwidth", "--", "all CPUs"),
                             ("read_bandwidth_one_thread", ":", "1 thread")):
        value = context.get(key)
        if is_number(value) and value > 0:
            ax.axhline(value / 1e9, color="black", linestyle=style, linewidth=1,
                       label=f"measured read bandwidth, {what}: {value / 1e9:.1f} GB/s")


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
            plot_series(ax, [(r.bytes, scaled(r.stat("bytes_per_second"), 1e-9))
                             for r in reference],
                        log_y=True, color=backend_color(report.registry.reference), linestyle="-",
                        marker="o", label=report.registry.reference)
        for backend in backends_of(parallel):
            mine = [r for r in parallel if r.backend == backend and r.workers == workers]
            if not mine:
                continue
            config, chosen = best_config(mine, "bytes_per_second")
            plot_series(ax, [(r.bytes, scaled(r.stat("bytes_per_second"), 1e-9)) for r in chosen],
                        log_y=True, color=backend_color(backend), linestyle="-", marker="o",
                        label=f"{backend} ({config_label(config)})")
        bandwidth_ceilings(ax, report.context)
        bytes_axis(ax, [r.bytes for r in runs])
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(fmt_plain))
        mark_caches(ax, report.context)
        ax.set_title(f"{workers} worker{'s' if workers != 1 else ''}")
        ax.set_xlabel("array size (bytes)")
        ax.grid(True, which="major", alpha=0.3)
        legend_below(ax)
    axes[0][0].set_ylabel("bandwidth (GB/s, mean ± stddev)")
    return [("bandwidth", finish(fig, "Sum: bandwidth against array size "
                                 "(best launch/policy per backend)", report.stamp()))]


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
        policies = []
        for config in configs_in_order(mine):
            if config[1] not in policies:
                policies.append(config[1])
        for config in configs_in_order(mine):
            i = policies.index(config[1])
            plot_series(ax, [(r.bytes, scaled(r.stat("bytes_per_second"), 1e-9))
                             for r in mine if config_of(r) == config],
                        log_y=True, color=shade(backend_color(backend), SHADES[i % len(SHADES)]),
                        linestyle=LAUNCH_STYLES.get(config[0], "-"),
                        marker=MARKERS[i % len(MARKERS)], label=config_label(config))
        bandwidth_ceilings(ax, report.context)
        bytes_axis(ax, [r.bytes for r in runs])
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(fmt_plain))
        mark_caches(ax, report.context)
        ax.set_title(backend, color=backend_color(backend), fontweight="bold")
        ax.set_xlabel("array size (bytes)")
        ax.set_ylabel("bandwidth (GB/s)")
        ax.grid(True, which="major", alpha=0.3)
        legend_below(ax, ncol=2)
    for ax in list(axes.flat)[len(backends):]:
        ax.set_visible(False)
    title = (f"Sum: bandwidth of every launch/policy, {workers} workers "
             "(dashed: workers spawned per job; solid: a pool, team or arena)")
    return [("bandwidth_policies", finish(fig, title, report.stamp()))]


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
        at_size = [r for r in runs if r.bytes == size]
        lines = {b: best_config([r for r in at_size if r.backend == b], "speedup")
                 for b in backends_of(at_size)}
        panels = (("speedup", f"speedup over {over}", lambda w: w, "ideal (= workers)"),
                  ("efficiency", "efficiency (speedup / workers)", lambda w: 1.0, "ideal (1)"),
                  ("karp_flatt", "Karp–Flatt serial fraction", lambda w: 0.0, "ideal (0)"))
        for ax, (field, ylabel, ideal, ideal_label) in zip(row, panels):
            values = centers([r for _, rs in lines.values() for r in rs], field)
            xs = workers if field != "karp_flatt" else [w for w in workers if w > 1] or workers
            if field == "karp_flatt":
                log = False
                if values and max(abs(v) for v in values) > 10:
                    ax.set_yscale("symlog", linthresh=1)
                    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            else:
                log = value_axis(ax, values + [ideal(w) for w in xs],
                                 log_above=1 if field == "speedup" and wide_workers(xs) else 20)
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
    title = ("Sum: speedup, efficiency and Karp–Flatt serial fraction "
             "(best launch/policy per backend)")
    return [("speedup", finish(fig, title, report.stamp()))]


def ratio_stat(a, b):
    """a / b with the relative errors added in quadrature."""
    if not a or not b or a[0] <= 0 or b[0] <= 0:
        return None
    ratio = a[0] / b[0]
    return ratio, ratio * math.hypot(a[1] / a[0], b[1] / b[0])


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


def fig_sum_split(report):
    """Contiguous blocks versus strided slices (cyclic, static1) for the sum."""
    runs = sum_runs(report)
    pairs = split_pairs(report, runs)
    if not pairs:
        raise Skip("no sum results with both a block and a strided (cyclic, static1) policy")
    workers = main_workers(int_workers([r for r in runs if r.backend in pairs]),
                           report.usable_cpus)
    fig, axes = new_figure(1, 2, 14, 6.8)
    bw_ax, ratio_ax = axes[0]
    ratios = []
    for backend, (block_policy, strided_policy) in pairs.items():
        mine = [r for r in runs if r.backend == backend and r.workers == workers]
        blocks = [r for r in mine if r.policy == block_policy]
        if not blocks:
            continue
        launch = best_config(blocks, "bytes_per_second")[0][0]
        block = {r.bytes: r for r in blocks if r.launch == launch}
        strided = {r.bytes: r for r in mine
                   if r.policy == strided_policy and r.launch == launch}
        color = backend_color(backend)
        for table, style, what in ((block, "-", block_policy), (strided, "--", strided_policy)):
            plot_series(bw_ax, [(b, scaled(r.stat("bytes_per_second"), 1e-9))
                                for b, r in table.items()], log_y=True, color=color,
                        linestyle=style, marker="o" if style == "-" else "s",
                        label=f"{backend} {config_label((launch, what))}")
        points = [(b, ratio_stat(strided[b].stat("real_time"), block[b].stat("real_time")))
                  for b in block if b in strided]
        ratios += [p[1][0] for p in points if p[1]]
        plot_series(ratio_ax, points, log_y=True, color=color, marker="o",
                    label=f"{backend} {launch}: {strided_policy} / {block_policy}")
    reference = report.registry.reference_runs(runs)
    plot_series(bw_ax, [(r.bytes, scaled(r.stat("bytes_per_second"), 1e-9)) for r in reference],
                log_y=True, color=backend_color(report.registry.reference), marker="o",
                linewidth=1, label=f"{report.registry.reference} (1 worker)")
    bandwidth_ceilings(bw_ax, report.context)
    all_bytes = [r.bytes for r in runs]
    for ax in (bw_ax, ratio_ax):
        bytes_axis(ax, all_bytes)
        mark_caches(ax, report.context)
        ax.set_xlabel("array size (bytes)")
        ax.grid(True, alpha=0.3)
    bw_ax.set_yscale("log")
    bw_ax.yaxis.set_major_formatter(ticker.FuncFormatter(fmt_plain))
    bw_ax.set_ylabel("bandwidth (GB/s, mean ± stddev)")
    bw_ax.set_title(f"block (solid) and strided (dashed), {workers} workers")
    ratio_ax.axhline(1, color="0.6", linestyle="--", linewidth=1.2, label="no cost (1)")
    value_axis(ratio_ax, ratios, log_above=8)
    ratio_ax.set_ylabel("time strided / time block (×)")
    ratio_ax.set_title(f"what the strided split costs, {workers} workers")
    legend_below(bw_ax)
    legend_below(ratio_ax)
    title = "Sum: contiguous blocks versus strided slices (data[i::P])"
    return [("sum_split", finish(fig, title, report.stamp()))]


# ----------------------------------------------------------------------------------------------
# Launch costs


def fig_launch(report):
    """Thread create+join and fork+wait (one panel), pool start and dispatch against workers."""
    runs = [r for r in report.select("launch") if r.center("real_time")]
    if not runs:
        raise Skip("no launch results")
    once = [r for r in runs if r.policy in ("create_join", "fork_wait")]
    start = [r for r in runs if r.policy == "start" and is_number(r.workers)]
    dispatch = [r for r in runs if r.policy == "dispatch" and is_number(r.workers)]
    panels = [p for p in (("once", once), ("start", start), ("dispatch", dispatch)) if p[1]]
    fig, axes = new_figure(1, len(panels), 6.0 * len(panels), 6.4)
    for ax, (kind, mine) in zip(axes[0], panels):
        if kind == "once":
            launch_bars(ax, mine)
        else:
            launch_lines(ax, mine, report.usable_cpus, report.registry)
            ax.set_title("pool/arena start (once, before any job)" if kind == "start" else
                         "dispatch: hand one empty job to the workers and collect it",
                         fontsize=10)
    title = ("Launch costs: starting workers and handing them work (mean ± stddev; "
             "dashed: workers spawned per job)")
    return [("launch", finish(fig, title, report.stamp()))]


def launch_label(run):
    if run.policy == "create_join":
        return "thread create + join"
    size = "empty process" if not run.bytes else f"{fmt_bytes(run.bytes)} {run.mapping or ''}"
    return f"fork + wait, {size}".strip()


def launch_bars(ax, runs):
    runs = sorted(runs, key=lambda r: (backend_rank(r), r.bytes or 0, str(r.mapping)))
    stats = [scaled(r.stat("real_time"), 1e6) for r in runs]
    ys = list(range(len(runs)))
    ax.barh(ys, [s[0] for s in stats], xerr=[[min(s[1], 0.9 * s[0]) for s in stats],
                                              [s[1] for s in stats]],
            color=[backend_color(r.backend) for r in runs], alpha=0.85, capsize=3)
    ax.set_yticks(ys, [launch_label(r) for r in runs], fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(fmt_plain))
    for y, s in zip(ys, stats):
        ax.text((s[0] + s[1]) * 1.1, y, f"{s[0]:,.0f} µs" if s[0] >= 100 else f"{s[0]:.3g} µs",
                va="center", ha="left", fontsize=8)
    lo = min(s[0] for s in stats)
    hi = max(s[0] + s[1] for s in stats)
    ax.set_xlim(lo / 3, hi * 8)
    ax.set_xlabel("time per worker started and joined (µs, log)")
    ax.set_title("one worker: thread create+join, process fork+wait", fontsize=10)
    ax.grid(True, axis="x", alpha=0.3)
    handles = [Patch(color=backend_color(b), label=b) for b in backends_of(runs)]
    ax.legend(handles=handles, fontsize=8, loc="lower right")


def launch_lines(ax, runs, usable, registry):
    values = []
    for backend in backends_of(runs):
        mine = [r for r in runs if r.backend == backend]
        launches = ordered({r.launch for r in mine}, registry.launches(backend))
        for i, launch in enumerate(launches):
            style, marker = LAUNCH_STYLES.get(launch, "-"), MARKERS[i % len(MARKERS)]
            points = [(r.workers, scaled(r.stat("real_time"), 1e6)) for r in mine
                      if r.launch == launch]
            values += [p[1][0] for p in points if p[1]]
            plot_series(ax, points, log_y=True, color=backend_color(backend), linestyle=style,
                        marker=marker, label=f"{backend} {launch}")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(fmt_plain))
    mark_usable(ax, usable)
    workers_axis(ax, int_workers(runs))
    ax.set_ylabel("time (µs, log)")
    ax.grid(True, alpha=0.3)
    legend_below(ax, ncol=3)


# ----------------------------------------------------------------------------------------------
# Task figures (sleep, spin)


def task_runs(report, kernel=None):
    kernels = [kernel] if kernel else TASK_KERNELS
    runs = [r for k in kernels for r in report.select(k)
            if is_number(r.workers) and r.center("makespan")]
    if not runs:
        raise Skip(f"no {'/'.join(kernels)} task results")
    return runs


def task_sets(runs):
    """Task sets in report order, the seed set first."""
    names = []
    for run in runs:
        if run.tasks not in names:
            names.append(run.tasks)
    return sorted(names, key=lambda n: n != "seed")


def task_unit_label(run):
    unit = run.unit
    if not is_number(unit):
        return ""
    factor, name = time_scale(unit)
    return f"unit {unit * factor:g} {name}"


def task_title(kernel, tasks, runs, workers):
    count = next((r.task_count for r in runs if is_number(r.task_count)), None)
    count_text = f"{count} tasks, " if count else ""
    return f"{kernel}: tasks {tasks} ({count_text}{task_unit_label(runs[0])}), {workers} workers"


def fig_makespan(report):
    """Makespan per policy and backend, with the lower bound and the predicted makespan."""
    runs = task_runs(report)
    kernels = [k for k in TASK_KERNELS if any(r.kernel == k for r in runs)]
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
    title = "Tasks: makespan per backend and policy (mean ± stddev; lower is better)"
    return [("makespan", finish(fig, title, report.stamp()))]


def makespan_bars(ax, runs):
    runs = sorted(runs, key=backend_rank)
    factor, unit = time_scale(max(r.center("makespan") for r in runs))
    xs, x = [], 0.0
    for i, run in enumerate(runs):
        if i and run.backend != runs[i - 1].backend:
            x += 0.6
        xs.append(x)
        x += 1
    stats = [scaled(r.stat("makespan"), factor) for r in runs]
    ax.bar(xs, [s[0] for s in stats], yerr=[s[1] for s in stats], width=0.8, capsize=3,
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
    ax.set_ylim(0, max(s[0] + s[1] for s in stats) * 1.12)
    ax.grid(True, axis="y", alpha=0.3)
    handles = [Patch(color=backend_color(b), alpha=0.8, label=b) for b in backends_of(runs)]
    handles += [Line2D([], [], color="black", linewidth=2.2, label="predicted (schedule model)"),
                Line2D([], [], color="black", linestyle=":", linewidth=1.6,
                       label="lower bound max(sum/c, longest)")]
    ax.legend(handles=handles, fontsize=7.5, loc="upper left", ncol=2, framealpha=0.85)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.25)  # room for the legend above the bars


def fig_gantt(report):
    """Gantt charts of the seed task set (or the first set) per policy, one file per kernel."""
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
        figures.append((f"gantt_{kernel}", gantt_figure(report, kernel, tasks, mine, workers)))
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
    for ax in list(axes.flat)[len(runs):]:
        ax.set_visible(False)
    handles = [Line2D([], [], color="black", linewidth=1.6, label="measured makespan"),
               Line2D([], [], color="black", linestyle="--", linewidth=1.2,
                      label="predicted (schedule model)"),
               Line2D([], [], color="0.4", linestyle=":", linewidth=1.2, label="lower bound")]
    fig.legend(handles=handles, loc="lower left", ncol=3, fontsize=8, frameon=False)
    count = next((r.task_count for r in runs if is_number(r.task_count)), None)
    title = (f"Gantt charts, {kernel}: tasks {tasks}"
             f"{f' ({count} tasks)' if count else ''} on {workers} workers; "
             f"bars labelled with the task's duration ({task_unit_label(runs[0]) or 'seconds'})")
    return finish(fig, title, report.stamp())


def gantt_span(run):
    """The latest time a Gantt panel of this run must show."""
    entry, timeline = run.last_timeline()
    marks = [Run._field(entry, f) for f in ("makespan", "predicted", "lower_bound")]
    return max([t["end"] for t in timeline] + [m for m in marks if m])


def gantt_rows(entry, timeline):
    """Worker rows: every worker the job had (an idle one shows as an empty row)."""
    rows = {int(t["worker"]) for t in timeline}
    obtained = entry.get("workers_obtained")
    if is_number(obtained) and 0 < obtained <= 1024:
        rows |= set(range(int(obtained)))
    return sorted(rows)


def gantt_panel(ax, run, factor, unit_name, span):
    """One job's timeline: a row per worker, a bar per task labelled with its duration."""
    entry, timeline = run.last_timeline()
    rows = gantt_rows(entry, timeline)
    unit = run.unit if is_number(run.unit) and run.unit > 0 else None
    makespan = Run._field(entry, "makespan") or max(t["end"] for t in timeline)
    color = backend_color(run.backend)
    for t in timeline:
        y = rows.index(int(t["worker"]))
        width = t["end"] - t["start"]
        ax.barh(y, width * factor, left=t["start"] * factor, height=0.72, color=color,
                alpha=0.55, edgecolor="black", linewidth=0.8)
        duration = t.get("duration") if is_number(t.get("duration")) else width
        text = f"{duration / unit:.3g}" if unit else f"{duration * factor:.3g}"
        if width >= span * 0.011 * len(text):  # a label only where it fits in its bar
            ax.text((t["start"] + width / 2) * factor, y, text, ha="center", va="center",
                    fontsize=7.5)
    for value, style, shade in ((makespan, "-", "black"),
                                (Run._field(entry, "predicted"), "--", "black"),
                                (Run._field(entry, "lower_bound"), ":", "0.4")):
        if value:
            ax.axvline(value * factor, color=shade, linestyle=style, linewidth=1.4)
    ax.set_yticks(range(len(rows)), [f"worker {w}" for w in rows], fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_title(f"{run.backend} {config_label(config_of(run))}: "
                 f"{makespan * factor:.3g} {unit_name}", color=color, fontsize=10,
                 fontweight="bold")


def fig_sleep_spin(report):
    """Sleep versus spin as the workers grow past the usable CPUs."""
    runs = task_runs(report)
    kernels = [k for k in TASK_KERNELS if any(r.kernel == k for r in runs)]

    def reach(tasks):
        """Task sets run by both kernels, then at the most worker counts, then the largest."""
        these = [r for r in runs if r.tasks == tasks]
        size = max((r.task_count for r in these if is_number(r.task_count)), default=0)
        return (len({r.kernel for r in these}), len(int_workers(these)), size)

    tasks = max(task_sets(runs), key=reach)
    runs = [r for r in runs if r.tasks == tasks]
    if len(int_workers(runs)) < 2:
        raise Skip("task results at fewer than two worker counts")
    use_speedup = all(any(r.center("speedup") for r in runs if r.kernel == k) for k in kernels)
    fig, axes = new_figure(1, len(kernels), 7.0 * len(kernels), 5.4, sharey=use_speedup)
    for ax, kernel in zip(axes[0], kernels):
        mine = [r for r in runs if r.kernel == kernel]
        if use_speedup:
            mine = report.registry.without_reference(mine)
        sleep_spin_panel(ax, kernel, mine, report.usable_cpus, use_speedup,
                         report.registry.reference_name())
        nature = "gives the CPU away" if kernel == "sleep" else "keeps the CPU busy"
        ax.set_title(f"{kernel} ({nature}), tasks {tasks}", fontsize=10)
    what = f"speedup over {report.registry.reference_name()}" if use_speedup else "makespan"
    title = (f"Tasks: sleep versus spin as workers grow past the usable CPUs ({what}, "
             "best policy per backend)")
    return [("sleep_spin", finish(fig, title, report.stamp()))]


def total_work(runs):
    """The sum of the task durations (seconds), from a timeline; or None."""
    for run in runs:
        found = run.last_timeline()
        if found and all(is_number(t.get("duration")) for t in found[1]):
            return sum(t["duration"] for t in found[1])
    return None


def sleep_spin_panel(ax, kernel, runs, usable, use_speedup, over):
    field = "speedup" if use_speedup else "makespan"
    workers = int_workers(runs)
    bounds = {}
    for run in runs:
        bound = run.center("lower_bound")
        if bound:
            bounds[run.workers] = min(bound, bounds.get(run.workers, bound))
    factor, unit = (1.0, "") if use_speedup else time_scale(max(r.center("makespan") for r in runs))
    lines = {b: best_config([r for r in runs if r.backend == b], field, higher=use_speedup)
             for b in backends_of(runs)}
    values = [v * factor for v in centers([r for _, rs in lines.values() for r in rs], field)]
    best = {}
    if use_speedup:
        total = bounds.get(1) or total_work(runs)  # the one-worker bound is the sum
        if total:
            best = {w: total / b for w, b in bounds.items()}
    else:
        best = {w: b * factor for w, b in bounds.items()}
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
    workers_axis(ax, workers)
    ax.set_ylabel(f"speedup over {over} (×)" if use_speedup else f"makespan ({unit})")
    ax.grid(True, alpha=0.3)
    legend(ax, loc="best")


# ----------------------------------------------------------------------------------------------
# Several reports side by side


def report_styles(reports):
    return {id(r): LINE_STYLES[i % len(LINE_STYLES)] for i, r in enumerate(reports)}


def compare_stamp(reports):
    return "  |  ".join(r.stamp() for r in reports)


def common_reference(reports):
    """The reference backend of these reports, for a label: its name where they share one."""
    names = {r.registry.reference_name() for r in reports}
    return names.pop() if len(names) == 1 else "each report's reference"


def compare_grid(backends, width=5.4, height=5.2):
    ncols = min(3, len(backends))
    nrows = math.ceil(len(backends) / ncols)
    fig, axes = new_figure(nrows, ncols, width * ncols, height * nrows + 0.8)
    for ax in list(axes.flat)[len(backends):]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def fig_compare_bandwidth(reports):
    """Bandwidth against size, one panel per backend, one line per report (at its usable CPUs)."""
    data = {}
    for report in reports:
        try:
            data[id(report)] = sum_runs(report)
        except Skip:
            pass
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
            plot_series(ax, [(r.bytes, scaled(r.stat("bytes_per_second"), 1e-9)) for r in chosen],
                        log_y=True, color=backend_color(backend), linestyle=style, marker=marker,
                        label=f"{report.label}: {config_label(config) or backend}, {workers} w")
            ceiling = report.context.get("read_bandwidth")
            if is_number(ceiling) and ceiling > 0:
                ax.axhline(ceiling / 1e9, color="black", linestyle=style, linewidth=0.8,
                           alpha=0.6)
        bytes_axis(ax, all_bytes)
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(fmt_plain))
        ax.set_title(backend, color=backend_color(backend), fontweight="bold")
        ax.set_xlabel("array size (bytes)")
        ax.set_ylabel("bandwidth (GB/s)")
        ax.grid(True, alpha=0.3)
        legend_below(ax, ncol=1)
    title = ("Sum bandwidth, report against report (thin black lines: each machine's "
             "measured read bandwidth, same line style)")
    return [("compare_bandwidth", finish(fig, title, compare_stamp(reports)))]


def fig_compare_speedup(reports):
    """Sum speedup against workers at each report's largest array, one panel per backend."""
    data = {}
    for report in reports:
        try:
            runs = [r for r in report.registry.without_reference(sum_runs(report))
                    if r.center("speedup")]
        except Skip:
            continue
        if runs:
            data[id(report)] = runs
    if len(data) < 2:
        raise Skip("fewer than two reports with sum speedups")
    styles = report_styles(reports)
    backends = backends_of([r for runs in data.values() for r in runs])
    fig, axes = compare_grid(backends)
    for ax, backend in zip(axes, backends):
        workers = []
        for report in reports:
            runs = data.get(id(report), [])
            size = max((r.bytes for r in runs), default=None)
            mine = [r for r in runs if r.backend == backend and r.bytes == size]
            if not mine:
                continue
            config, chosen = best_config(mine, "speedup")
            style, marker = styles[id(report)]
            workers += int_workers(chosen)
            plot_series(ax, [(r.workers, r.stat("speedup")) for r in chosen],
                        color=backend_color(backend), linestyle=style, marker=marker,
                        label=f"{report.label}: {config_label(config)}, {fmt_bytes(size)}")
        workers = sorted(set(workers))
        ax.plot(workers, workers, color="0.6", linestyle="--", linewidth=1.2,
                label="ideal (= workers)")
        workers_axis(ax, workers)
        if wide_workers(workers):
            ax.set_yscale("log")  # log–log keeps the ideal line straight
        else:
            ax.set_ylim(bottom=0)
        ax.set_title(backend, color=backend_color(backend), fontweight="bold")
        ax.set_ylabel(f"speedup over {common_reference(reports)} (×)")
        ax.grid(True, alpha=0.3)
        legend_below(ax, ncol=1)
    title = "Sum speedup at each report's largest array, report against report"
    return [("compare_speedup", finish(fig, title, compare_stamp(reports)))]


# ----------------------------------------------------------------------------------------------
# Driver

SINGLE_FIGURES = [fig_bandwidth, fig_bandwidth_policies, fig_speedup, fig_sum_split,
                  fig_launch, fig_makespan, fig_gantt, fig_sleep_spin]
COMPARE_FIGURES = [fig_compare_bandwidth, fig_compare_speedup]


def save(fig, out_dir, name):
    """PNG and SVG, each written to a temporary name first and then renamed."""
    for ext in ("png", "svg"):
        final = os.path.join(out_dir, f"{name}.{ext}")
        temporary = final + ".tmp"
        try:
            fig.savefig(temporary, format=ext, dpi=DPI,
                        metadata={"Date": None} if ext == "svg" else None)
            os.replace(temporary, final)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)


def figure_name(function):
    return function.__name__[len("fig_"):]


def draw(function, data, prefix, out_dir):
    """Draws one figure function (of a report, or of the list of reports); returns the names
    written, or raises Skip."""
    names = []
    for name, fig in function(data):
        try:
            save(fig, out_dir, prefix + name)
        finally:
            plt.close(fig)
        names.append(prefix + name)
    return names


def parse_args(argv):
    class OneLineParser(argparse.ArgumentParser):
        def error(self, message):
            raise InputError(f"{message} (usage: plots/plot --out DIR REPORT...)")

    parser = OneLineParser(
        prog="plots/plot", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Draws parbench reports (reports/SCHEMA.md) as PNG and SVG figures.",
        epilog="""figures (NAME.png and NAME.svg; skipped, with a note, when a report lacks them):
  bandwidth           sum: bandwidth against array size, best launch/policy per backend
  bandwidth_policies  sum: every launch/policy of each backend
  speedup             sum: speedup, efficiency, Karp-Flatt serial fraction against workers
  sum_split           sum: contiguous blocks versus strided slices (cyclic, static1)
  launch              thread create+join, fork+wait, pool start, dispatch
  makespan            sleep/spin: makespan per backend and policy, bound and prediction
  gantt_sleep, gantt_spin   the seed task set's timeline per policy
  sleep_spin          sleep versus spin as workers grow past the usable CPUs
With several reports each gets its own figures, named after its file (FILE_bandwidth, ...),
and compare_bandwidth and compare_speedup put them side by side.

exit status: 0 figures written; 1 a figure failed or none could be drawn; 2 bad arguments
or a bad report (nothing is written); 77 no Python 3 with matplotlib (from plots/plot)""")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder for the figures (made if missing)")
    parser.add_argument("reports", nargs="+", metavar="REPORT",
                        help="parbench JSON report (gzip-compressed or not, complete or not), "
                             "or the journal of an unfinished run (REPORT.partial)")
    return parser.parse_args(argv)


def prepare_out(out_dir):
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot make the output folder {out_dir}: {e.strerror or e}") from None
    if not os.access(out_dir, os.W_OK):
        raise InputError(f"cannot write into the output folder {out_dir}")


def main(argv=None):
    try:
        args = parse_args(argv)
        reports = [load_report(path) for path in args.reports]
        label_reports(reports)
        prepare_out(args.out)
    except InputError as e:
        note(str(e))
        return EXIT_BAD_INPUT
    for report in reports:  # only now: bad input gets its one line and nothing else
        for line in report.notes:
            note(line)
    global _look
    _look = BackendLook(reports)

    jobs = []  # (figure function, its report or list of reports, file prefix, what for notes)
    several = len(reports) > 1
    for report in reports:
        prefix = f"{report.tag}_" if several else ""
        jobs += [(function, report, prefix, report.path) for function in SINGLE_FIGURES]
    if several:
        jobs += [(function, reports, "", "the reports") for function in COMPARE_FIGURES]

    written, failed = [], 0
    for function, data, prefix, where in jobs:
        try:
            written += draw(function, data, prefix, args.out)
        except Skip as why:
            note(f"skipped {prefix}{figure_name(function)}: {where}: {why}")
        except Exception as e:  # a figure that fails must not stop the others
            if os.environ.get("PARBENCH_PLOT_DEBUG"):
                raise
            failed += 1
            note(f"could not draw {prefix}{figure_name(function)} from {where}: "
                 f"{type(e).__name__}: {e} (PARBENCH_PLOT_DEBUG=1 shows where)")
            plt.close("all")
    if not written:
        note("no figure could be drawn from " + ", ".join(r.path for r in reports))
        return EXIT_FIGURE_FAILED
    print(f"{PROG}: wrote {len(written)} figures (PNG and SVG) to {args.out}: "
          + ", ".join(written))
    return EXIT_FIGURE_FAILED if failed else 0


if __name__ == "__main__":
    warnings.filterwarnings("ignore", module="matplotlib")
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
