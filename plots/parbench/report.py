"""Reads parbench reports (reports/SCHEMA.md): the one reader of the schema on the Python side,
shared by the figures, their tests and the result page. Standard library only, so that it
imports where matplotlib is missing.

load_report() reads one file: a report, gzip-compressed or not, complete or not, or the journal
of an unfinished run (<report>.partial). Only regular files of at most MAX_INPUT_BYTES (also
once decompressed) are read. Anything wrong is an InputError with one line for the user. What
the reader knows of a backend (the reference, the order, launches, which sum policy is
contiguous and which strided) comes from the report's registry (`context.backends`), or for a
report older than that key from KNOWN_BACKENDS. A run's value of a field is the median of its
repetitions with a confidence interval (stats.py), taken as parbench-compare takes it. The other
modules read a report through what this one gives (Report, Run, Timeline, the words below), not
through its JSON: where a key moved (the runtimes, the caches) or a value may be missing or not
a number, the rule is here, once.
"""

import gzip
import json
import math
import os
import re
import stat
import zlib
from typing import NamedTuple, Optional

from . import stats

# The five backends that reports carried before they recorded their registry of backends
# (`context.backends`, reports/SCHEMA.md), in that registry's form and order, each with its fixed
# colour. This is the one place the Python side names a backend. A report older than the key
# (the committed reference reports among them) reads this as its registry: which backend is the
# reference, the order, the launches, and which sum policy splits into contiguous blocks and
# which into strided slices (docs/ARCHITECTURE.md: the seam). In every report these five keep
# their colours, so that the figures keep their look (palette.py).
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
KNOWN_COLORS = {b["name"]: b["color"] for b in KNOWN_BACKENDS}
# The generic splits (a policy's `split`) that the sum_split figure sets side by side.
CONTIGUOUS_SPLIT, STRIDED_SPLIT = "block", "cyclic"
# Google Benchmark's time units; an entry without one is in nanoseconds, its default.
TIME_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
DEFAULT_TIME_UNIT = "ns"
TIME_FIELDS = ("real_time", "cpu_time")
# Fields that are a constant over the run's real time (bytes / time, serial time / time, ...):
# their interval follows from the interval of the time's median (reports/SCHEMA.md:
# measurement.median_interval), each end from the other end of the time's.
PER_TIME_FIELDS = ("bytes_per_second", "speedup", "efficiency", "bandwidth_fraction")
# Fields that are the run's real time in seconds.
AS_TIME_FIELDS = ("real_time", "makespan")
PARAMS = ("kernel", "backend", "launch", "policy", "workers", "size", "bytes", "tasks", "unit",
          "task_count", "mapping")

# The most a report may hold, also once decompressed, as for parbench-compare: the full suite's
# report is tens of MB, so anything past this is a mistake (or /dev/zero, or a gzip bomb).
MAX_INPUT_BYTES = 512 << 20
READ_CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
JOURNAL_VERSION = 1


class InputError(Exception):
    """Bad arguments or a bad report: one line on stderr, exit status 2."""


# ----------------------------------------------------------------------------------------------
# Values and words for messages


def cpu_text(context, unknown=""):
    """The CPU's name, with family, model and stepping where the report has them: a virtual
    machine often names only "AMD EPYC", whatever its generation."""
    name = str(context.get("cpu_model") or "").strip() or unknown
    cpu = context.get("cpu")
    if not isinstance(cpu, dict):
        return name
    numbers = [f"{k} {cpu[k]}" for k in ("family", "model", "stepping")
               if isinstance(cpu.get(k), int) and not isinstance(cpu.get(k), bool) and cpu[k] >= 0]
    if cpu.get("hypervisor") is True:
        numbers.append("VM")
    return f"{name} ({', '.join(numbers)})" if name and numbers else name


def is_number(value):
    """A finite number: what a report's value must be to count. Google Benchmark's bare NaN and
    Infinity read as null (parse_json_text), and a number too large for a float as infinite;
    neither is one."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def positive(value):
    """The value where it is a positive finite number, else None."""
    return value if is_number(value) and value > 0 else None


def json_type(value):
    """"a string", "an array", "null": for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object"}.get(type(value), "a value")


def printable(text):
    """Text from a report for a message on one line."""
    return re.sub(r"[\x00-\x1f]", "?", text[:80])


def plural(count, one, many):
    return f"{count} {one if count == 1 else many}"


def bytes_text(value):
    """"32 MiB", "2 GiB", "512 B"; "" for what is not a number."""
    if not is_number(value):
        return ""
    for unit, size in (("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if value >= size:
            return f"{value / size:.3g} {unit}"
    return f"{value:.3g} B"


def short_date(value):
    text = str(value or "")
    found = re.match(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})", text)
    return f"{found.group(1)} {found.group(2)}" if found else text


def without_endings(name, endings):
    """The name less each of the endings in turn, where it ends with it."""
    for ending in endings:
        name = name[: -len(ending)] if name.endswith(ending) else name
    return name


def entry_place(index, entry):
    """"benchmarks[3] ('sum/thread/4')", as parbench-compare names an entry."""
    name = entry.get("name")
    return f"benchmarks[{index}]" + (f" ('{printable(name)}')" if isinstance(name, str) else "")


# ----------------------------------------------------------------------------------------------
# Runs, reports and the registry of backends


def entry_value(entry, field):
    """The field of one benchmark entry as a float, times in seconds; None where it is missing
    or not a finite number (Google Benchmark's NaN and Infinity read as null)."""
    value = entry.get(field)
    if not is_number(value):
        return None
    if field in TIME_FIELDS:
        seconds = TIME_UNITS.get(entry.get("time_unit", DEFAULT_TIME_UNIT))
        if seconds is None:  # an entry load_report has not checked: no time rather than a wrong one
            return None
        value *= seconds
    return float(value)


def is_aggregate(entry):
    """As parbench-compare tells them: run_type "aggregate", or for Google Benchmark before
    run_type, an aggregate_name."""
    if "run_type" in entry:
        return entry["run_type"] == "aggregate"
    return "aggregate_name" in entry


class Task(NamedTuple):
    """One task of a recorded job (an item of an entry's `timeline`): the worker that ran it,
    its start and end in seconds from the job's start, and its index and duration (seconds)
    where the item has them."""

    worker: int
    start: float
    end: float
    task: Optional[float] = None
    duration: Optional[float] = None


class Timeline(NamedTuple):
    """A run's recorded job (the last repetition that carries a usable timeline): its tasks, the
    workers it had (`workers_obtained`) and its makespan, predicted makespan and lower bound in
    seconds, each None where the entry lacks it."""

    tasks: list
    workers: Optional[int]
    makespan: Optional[float]
    predicted: Optional[float]
    lower_bound: Optional[float]


def timeline_tasks(timeline):
    """The items of a `timeline` that are tasks: a worker, a start and an end, all numbers."""
    if not isinstance(timeline, list):
        return []
    tasks = []
    for item in timeline:
        if isinstance(item, dict) and all(is_number(item.get(k)) for k in ("worker", "start",
                                                                          "end")):
            task, duration = item.get("task"), item.get("duration")
            tasks.append(Task(int(item["worker"]), float(item["start"]), float(item["end"]),
                              task if is_number(task) else None,
                              float(duration) if is_number(duration) else None))
    return tasks


class Run:
    """One benchmark of a report (one `params`): its repetitions and its aggregates."""

    def __init__(self, params):
        self.params = params
        self.reps = []  # the repetitions' entries
        self.aggs = {}  # aggregate_name -> entry

    def __getattr__(self, name):
        if name in PARAMS:
            return self.params.get(name)
        raise AttributeError(name)

    def param(self, name):
        """One of the run's `params` by name (a name PARAMS may not know yet), or None."""
        return self.params.get(name)

    def values(self, field):
        """The field on every repetition that has it (times in seconds)."""
        return [v for v in (entry_value(e, field) for e in self.reps) if v is not None]

    def median_entry(self):
        """The entry that stands for the run: its median aggregate, or its one repetition."""
        if "median" in self.aggs:
            return self.aggs["median"]
        return self.reps[0] if len(self.reps) == 1 else None

    @property
    def run_name(self):
        """Google Benchmark's run_name (the name less an aggregate's suffix): what a report's
        findings cite as evidence."""
        for entry in [self.median_entry()] + self.reps + list(self.aggs.values()):
            if entry and isinstance(entry.get("run_name"), str):
                return entry["run_name"]
        for entry in self.reps:
            if isinstance(entry.get("name"), str):
                return entry["name"]
        return json.dumps(self.params, sort_keys=True)

    def measurement(self):
        """The median's `measurement` object (how its repetitions were decided), or {}."""
        found = (self.median_entry() or {}).get("measurement")
        return found if isinstance(found, dict) else {}

    def repetition_count(self):
        """How many repetitions the run had: those in the report, else (a report of aggregates
        only) as its measurement says; None where neither says."""
        if self.reps:
            return len(self.reps)
        count = self.measurement().get("repetitions")
        return int(count) if is_number(count) and count > 0 else None

    def interval_coverage(self):
        """measurement.interval_coverage: the probability that the median's interval holds the
        true median (below the confidence with too few repetitions), or None."""
        coverage = self.measurement().get("interval_coverage")
        return coverage if is_number(coverage) else None

    def undecided(self):
        """Whether the adaptive measurement stopped before it could decide (its budget ran
        out): measurement.decided false."""
        return self.measurement().get("decided") is False

    def median_interval(self):
        """measurement.median_interval in seconds as (low, high), or None."""
        entry = self.median_entry() or {}
        found = self.measurement().get("median_interval")
        seconds = TIME_UNITS.get(entry.get("time_unit", DEFAULT_TIME_UNIT))
        if (isinstance(found, list) and len(found) == 2 and all(is_number(v) for v in found)
                and seconds and 0 < found[0] <= found[1]):
            return found[0] * seconds, found[1] * seconds
        return None

    def stat(self, field):
        """The median of the field over the repetitions with its confidence interval (the
        interval parbench writes as measurement.median_interval, found again from the
        repetitions: order statistics, or their range below 6 of them); for a run without them
        (a report of aggregates only) the median aggregate, with measurement.median_interval
        where it has one, carried over to the fields made from the time; or None. The same
        centre as parbench-compare's (tools/compare/matching.cpp)."""
        found = stats.estimate(self.values(field))
        if found is not None:
            return found
        center = entry_value(self.median_entry() or {}, field)
        if center is None:
            return None
        interval = self.median_interval()
        time = entry_value(self.median_entry(), "real_time")
        if interval and time and field in AS_TIME_FIELDS + PER_TIME_FIELDS:
            low, high = interval
            if field in AS_TIME_FIELDS:
                return stats.Estimate(center, center * low / time, center * high / time)
            return stats.Estimate(center, center * time / high, center * time / low)
        return stats.Estimate(center)

    def center(self, field):
        found = self.stat(field)
        return found.center if found else None

    def last_timeline(self):
        """The recorded job of the last repetition whose timeline has tasks (a Timeline), or
        None."""
        def index(entry):
            value = entry.get("repetition_index")
            return value if is_number(value) else 0

        for entry in sorted(self.reps, key=index, reverse=True):
            tasks = timeline_tasks(entry.get("timeline"))
            if tasks:
                workers = positive(entry_value(entry, "workers_obtained"))
                return Timeline(tasks, int(workers) if workers else None,
                                *(entry_value(entry, f) for f in ("makespan", "predicted",
                                                                  "lower_bound")))
        return None


class Report:
    """One report as the figures and the page read it. `context` is the report's context as it
    is (the page shows it whole); what has a rule to read it is an attribute here."""

    def __init__(self, path, context, runs, notes=(), findings=None, errors=()):
        self.path = path
        self.context = context
        self.runs = runs
        self.findings = findings  # None: the report predates them (reports/SCHEMA.md)
        self.errors = list(errors)  # (run_name, error message) of the entries that failed
        self.notes = list(notes)  # said on stderr once every report has been read
        # complete, interrupted and not_run: checked by completeness_note
        self.unfinished = context.get("complete") is False
        self.interrupted = context.get("interrupted")  # the signal, "timeout", or None
        self.not_run = context.get("not_run")  # the benchmarks an unfinished run lacks, or None
        self.host = str(context.get("host_name") or "unknown host")
        self.date = short_date(context.get("date"))
        self.label = f"{self.host} {self.date}".strip()
        self.tag = file_tag(path)
        usable = positive(context.get("usable_cpus"))
        self.usable_cpus = int(usable) if usable else None
        self.read_bandwidth = positive(context.get("read_bandwidth"))  # bytes/s, or None
        self.read_bandwidth_one_thread = positive(context.get("read_bandwidth_one_thread"))
        topology = context.get("topology")
        self.topology = topology if isinstance(topology, dict) else {}
        self.caches = cache_levels(context)
        self.registry = read_registry(path, context)
        self.runtimes = runtimes(context, self.registry)

    def machine(self):
        """"CPU (family 25, model 1, ...), 4 CPUs", as much of it as the report says."""
        cpus = f"{self.usable_cpus} CPUs" if self.usable_cpus else ""
        return ", ".join(x for x in (cpu_text(self.context), cpus) if x)

    def stamp(self):
        """The machine in a figure's corner: host names alone (often "localhost") say little."""
        what = self.machine()
        stamp = f"{self.host} ({what}) · {self.date}" if what else f"{self.host} · {self.date}"
        return stamp + " · unfinished run" if self.unfinished else stamp

    def last_level_cache(self):
        """The largest data or unified cache in bytes, or None."""
        return max((c.bytes for c in self.caches), default=None)

    def select(self, kernel, **match):
        return [r for r in self.runs if r.kernel == kernel
                and all(r.params.get(k) == v for k, v in match.items())]

    def repetition_counts(self):
        """How many repetitions each run has (0: known from its aggregates only)."""
        return [len(r.reps) for r in self.runs]


class Cache(NamedTuple):
    """A data or unified cache of the machine."""

    level: Optional[float]
    type: str  # "Data" or "Unified"
    bytes: float
    shared_cpu_list: Optional[str] = None  # the CPUs that share it, as "0-3"


def cache_levels(context):
    """The machine's data and unified caches, as the report lists them: `cache_levels`, or for a
    report without it Google Benchmark's `caches` (whose `size` is the bytes); an instruction
    cache, or one without a size, is left out."""
    levels, size_key = context.get("cache_levels"), "bytes"
    if not isinstance(levels, list) or not levels:
        levels, size_key = context.get("caches"), "size"
    found = []
    for cache in levels if isinstance(levels, list) else []:
        if not isinstance(cache, dict) or cache.get("type") == "Instruction":
            continue
        size, level, shared = cache.get(size_key), cache.get("level"), cache.get("shared_cpu_list")
        if positive(size):
            found.append(Cache(level if is_number(level) else None, str(cache.get("type") or ""),
                               size, str(shared) if shared else None))
    return found


def runtimes(context, registry):
    """{backend: the runtime underneath it} as the report records each (reports/SCHEMA.md:
    runtimes), in the registry's order, then any other by name. `context.runtimes`; for a
    report without that key (made before December 2026) the object at the top level of the
    context under each registered backend's name. A runtime written as null (a build without
    it) is not there."""
    found = context.get("runtimes")
    if isinstance(found, dict):
        found = {name: value for name, value in found.items() if value is not None}
    else:
        found = {name: context[name] for name in registry.order
                 if isinstance(context.get(name), dict)}
    order = registry.order
    return dict(sorted(found.items(), key=lambda item: (
        order.index(item[0]) if item[0] in order else len(order), item[0])))


def file_tag(path):
    """What a report's figures are named after when there are several: its file name, less
    .gz, .partial (a journal's figures are named after its report) and .json."""
    name = without_endings(os.path.basename(path), (".gz", ".partial"))
    tag = re.sub(r"[^A-Za-z0-9_.-]+", "_", os.path.splitext(name)[0])
    return "compare-report" if tag == "compare" else tag  # not like the compare_* figures


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


def read_findings(path, data):
    """The report's `findings` (reports/SCHEMA.md), checked; None for a report without the key
    (made before parbench wrote them). Keys are optional, so that a finding of a later parbench
    still reads; a key that is there must have its type."""
    if "findings" not in data:
        return None
    findings = data["findings"]
    if not isinstance(findings, list):
        raise InputError(f"{path}: 'findings' is {json_type(findings)}, not an array of findings")
    for index, finding in enumerate(findings):
        place = f"findings[{index}]"
        if not isinstance(finding, dict):
            raise InputError(f"{path}: '{place}' is {json_type(finding)}, not an object")
        for key in ("question", "title", "answer"):
            check_field(path, place, finding, key, "a string")
        check_field(path, place, finding, "supported", "true or false")
        check_field(path, place, finding, "evidence", "an array of strings")
        if "figures" in finding and not isinstance(finding["figures"], dict):
            raise InputError(f"{path}: '{place}.figures' is {json_type(finding['figures'])}, "
                             "not an object")
    return findings


# ----------------------------------------------------------------------------------------------
# Reading files


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


# ----------------------------------------------------------------------------------------------
# Parsing: JSON, journals, completeness

# Numbers that are not finite: Google Benchmark writes NaN, -NaN, Infinity and -Infinity as bare
# words, which JSON lacks (and printf's nan and inf where it formats a number itself). Outside
# strings they read as null, a value that is not there, as the C++ reader (schema/json.cpp) and
# so parbench-compare read them; a number too large for a float reads as infinite, which
# is_number does not take either. Python's json takes NaN, Infinity and -Infinity itself
# (parse_constant); the others are written null first, where the text may have one.
NON_FINITE = r"-?(?:NaN|Infinity|nan|inf)"
# A JSON string (skipped whole, so that a word inside one is left alone), or a non-finite word.
STRING_OR_NON_FINITE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|' + NON_FINITE)
# What json cannot take, or a string that holds it: only then is the text scanned string by
# string (a report that has one is rare).
OTHER_NON_FINITE = re.compile(r"-NaN|\b(?:nan|inf)\b")


def without_other_non_finite(text):
    """The text with each bare non-finite word outside strings written null."""
    if not OTHER_NON_FINITE.search(text):
        return text
    return STRING_OR_NON_FINITE.sub(lambda m: m.group() if m.group()[0] == '"' else "null", text)


def parse_json_text(text, one_line=False):
    """(value, None), or (None, why) where the text is not JSON; a non-finite number reads as
    null (NON_FINITE)."""
    try:
        return json.loads(without_other_non_finite(text), parse_constant=lambda _: None), None
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
        why = printable(interrupted)
        note += " (stopped by its timeout)" if why == "timeout" else f" (interrupted by {why})"
    return note


def check_time_unit(path, index, entry):
    """A time_unit that is there must be one of Google Benchmark's: read as some other unit, or
    as nanoseconds, every time of the entry would be off by a factor nobody sees."""
    if "time_unit" not in entry:
        return
    unit = entry["time_unit"]
    if not isinstance(unit, str):
        raise InputError(f"{path}: {entry_place(index, entry)}: 'time_unit' is "
                         f"{json_type(unit)}, not a string")
    if unit not in TIME_UNITS:
        raise InputError(f"{path}: {entry_place(index, entry)}: unknown time_unit "
                         f"'{printable(unit)}' (known: {', '.join(TIME_UNITS)})")


def has_run_params(entry):
    params = entry.get("params") if isinstance(entry, dict) else None
    return (isinstance(params, dict) and isinstance(params.get("kernel"), str)
            and isinstance(params.get("backend"), str))


def failed(entry):
    """An entry with an error, or one Google Benchmark skipped: no result to draw (as
    parbench-compare, which reads both flags)."""
    return bool(entry.get("error_occurred") or entry.get("skipped"))


def group_runs(path, entries, errors=None):
    """The runs of a report's entries (one per distinct params), and how many entries with
    params were there and how many of those failed; each failed entry's (run_name, message)
    is appended to `errors` where given."""
    runs, with_params, failures = {}, 0, 0
    for index, entry in enumerate(entries):
        if not has_run_params(entry):
            continue
        with_params += 1
        check_time_unit(path, index, entry)
        if failed(entry):
            failures += 1
            if errors is not None:
                name = entry.get("run_name", entry.get("name"))
                message = entry.get("error_message") or entry.get("skip_message") or "failed"
                errors.append((str(name), str(message)))
            continue
        run = runs.setdefault(json.dumps(entry["params"], sort_keys=True), Run(entry["params"]))
        if is_aggregate(entry):
            run.aggs[str(entry.get("aggregate_name"))] = entry
        else:
            run.reps.append(entry)
    return list(runs.values()), with_params, failures


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
    if not data["benchmarks"]:
        raise InputError(f"{path} is an empty report: it has no benchmarks")
    findings = read_findings(path, data)
    errors = []
    runs, with_params, failures = group_runs(path, data["benchmarks"], errors)
    if not with_params:
        raise InputError(f"{path} is not a parbench report: its benchmarks have no 'params' "
                         "(plain Google Benchmark output?)")
    if not runs:
        raise InputError(f"{path} has no results: all {failures} of its benchmarks failed")
    if failures:
        notes.append(f"{path}: {failures} benchmark entries reported errors and are left out")
    return Report(path, data["context"], runs, notes, findings, errors)


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
