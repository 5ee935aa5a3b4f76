#!/usr/bin/env python3
"""Tests of the reader of reports (plots/parbench/report.py) and of what figures take from it:
what it refuses to read, gzip, incomplete reports and journals, time units and Google
Benchmark's bare NaN, a run's median, the registry of backends (context.backends) with the
colours it gives, the runtimes, caches and read bandwidth of the context, and timelines. The
modules it tests use only the standard library, so it runs under any Python 3.8 or newer, with
or without matplotlib:

  python3 tests/plots/loader_test.py
"""

import gzip
import json
import os
import sys
import tempfile
import tracemalloc
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
SKIP = 77  # ctest's SKIP_RETURN_CODE for the plots tests

if sys.version_info < (3, 8):  # before the import: the package needs 3.8 to load at all
    print(f"SKIP: Python {sys.version.split()[0]} is older than 3.8")
    sys.exit(SKIP)

sys.path.insert(0, os.path.join(HERE, "..", "..", "plots"))

from parbench import palette, stats  # noqa: E402  (after the path is set)
from parbench import report as loader  # noqa: E402

HEADER = '{"parbench_journal": 1, "session": {"host_name": "h"}}'
PARAMS = '{"kernel": "sum", "backend": "serial", "workers": 1, "size": %d}'


def benchmark_line(size, real_time=1.0):
    entry = '{"name": "sum/%d", "real_time": %g, "time_unit": "s", "params": %s}' % (
        size, real_time, PARAMS % size)
    return '{"benchmark": "sum/%d", "entries": [%s]}' % (size, entry)


class Folder(unittest.TestCase):
    """Each test has a folder of its own for the files it makes."""

    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)

    def write(self, name, data):
        path = os.path.join(self.folder.name, name)
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return path

    def refused(self, path, says):
        with self.assertRaises(loader.InputError) as caught:
            loader.load_report(path)
        message = str(caught.exception)
        self.assertIn(says, message)
        self.assertNotIn("\n", message)
        return message


class Refused(Folder):
    def test_devices_fifos_and_folders_are_not_read(self):
        self.refused("/dev/zero", "cannot read /dev/zero: it is a device, not a report")
        fifo = os.path.join(self.folder.name, "report.json")
        os.mkfifo(fifo)
        self.refused(fifo, "it is a FIFO (named pipe), not a report: only regular files are read")
        self.refused(FIXTURES, "it is a directory, not a report")

    def test_a_file_over_the_cap_is_refused_before_it_is_read(self):
        path = self.write("huge.json", b"")
        os.truncate(path, loader.MAX_INPUT_BYTES + 1)  # sparse: takes no disk
        self.refused(path, "huge.json is larger than 512 MiB: not a report")

    def test_gzip_bomb_is_stopped_while_it_inflates(self):
        cap = 1 << 20
        bomb = self.write("bomb.json.gz", gzip.compress(bytes(64 << 20), 9))
        original = loader.MAX_INPUT_BYTES
        loader.MAX_INPUT_BYTES = cap
        self.addCleanup(setattr, loader, "MAX_INPUT_BYTES", original)
        tracemalloc.start()
        try:
            self.refused(bomb, "bomb.json.gz is larger than 1 MiB once decompressed")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertLess(peak, 8 * cap, "the bomb was inflated past the cap before it was refused")

    def test_gzip_of_several_members_reads_as_their_concatenation(self):
        with open(os.path.join(FIXTURES, "sum_only.json"), "rb") as f:
            text = f.read()
        half = len(text) // 2
        path = self.write("two.json.gz", gzip.compress(text[:half]) + gzip.compress(text[half:]))
        self.assertEqual(len(loader.load_report(path).runs),
                         len(loader.load_report(os.path.join(FIXTURES, "sum_only.json")).runs))


class Unfinished(Folder):
    def test_a_report_without_complete_is_complete(self):
        report = loader.load_report(os.path.join(FIXTURES, "sum_only.json"))
        self.assertEqual(report.notes, [])
        self.assertFalse(report.unfinished)

    def test_an_incomplete_report_says_what_was_not_run(self):
        path = os.path.join(FIXTURES, "incomplete.json")
        report = loader.load_report(path)
        self.assertEqual(report.notes, [
            f"note: {path} is incomplete: 12 benchmarks not run (interrupted by SIGTERM)"])
        self.assertTrue(report.stamp().endswith("· unfinished run"))

    def test_notes_for_each_kind_of_end(self):
        note = loader.completeness_note
        self.assertIsNone(note("x", {"complete": True, "interrupted": "SIGINT"}))
        self.assertEqual(note("x", {"complete": False}), "x is incomplete")
        self.assertEqual(note("x", {"complete": False, "interrupted": "timeout", "not_run": ["a"]}),
                         "x is incomplete: 1 benchmark not run (stopped by its timeout)")
        self.assertEqual(note("x", {"complete": False, "interrupted": None, "not_run": []}),
                         "x is incomplete: 0 benchmarks not run")
        self.assertEqual(note("x", {}, journal_benchmarks=1),
                         "x is a journal of an unfinished run (1 benchmark finished)")
        for context, says in (({"complete": "no"}, "'context.complete' is a string"),
                              ({"interrupted": 2}, "'context.interrupted' is a number"),
                              ({"not_run": ["a", 1]}, "'context.not_run' is an array, not")):
            with self.assertRaises(loader.InputError) as caught:
                note("x", context)
            self.assertIn(says, str(caught.exception))

    def test_a_journal_reads_as_the_report_it_will_become(self):
        path = os.path.join(FIXTURES, "journal.json.partial")
        report = loader.load_report(path)
        self.assertEqual(report.notes,
                         [f"note: {path} is a journal of an unfinished run "
                          "(62 benchmarks finished)"])
        self.assertEqual(report.host, "fixture-b-resumed")  # the last session's context
        self.assertEqual(report.context["complete"], False)
        self.assertEqual(report.context["journal"], True)
        self.assertEqual(report.tag, "journal")  # figures named after the report it will be
        self.assertEqual(len(report.runs), 62)  # the first run twice counts once; the last torn
        # The first run's later line wins: its times are sum_only's, not twice them.
        complete = loader.load_report(os.path.join(FIXTURES, "sum_only.json"))
        first = report.runs[0]
        same = [r for r in complete.runs if r.params == first.params][0]
        self.assertAlmostEqual(first.center("real_time"), same.center("real_time"))
        self.assertEqual([r.params for r in report.runs],
                         [r.params for r in complete.runs][:62])

    def test_a_torn_last_line_is_left_out(self):
        for torn in ('{"benchmark": "sum/2", "entr', benchmark_line(2), '{"bench\n'):
            path = self.write("j.partial", "\n".join([HEADER, benchmark_line(1), torn]))
            report = loader.load_report(path)
            self.assertEqual([r.size for r in report.runs], [1], torn)

    def test_a_one_line_report_is_not_a_journal(self):
        path = self.write("one.json", '{"context": {"parbench_journal": 1}, "benchmarks": '
                          '[{"name": "a", "real_time": 1, "params": %s}]}' % (PARAMS % 1))
        self.assertEqual(loader.load_report(path).notes, [])

    def test_bad_journals(self):
        cases = [
            ([HEADER, '{"benchmark": "a", "ent', benchmark_line(2)],
             "is not a parbench journal: line 2 is not JSON (Unterminated string"),
            ([HEADER, "[1]", benchmark_line(2)], "line 2 is an array, not an object"),
            ([HEADER, '{"note": 1}', benchmark_line(2)],
             "line 2 is neither a session header nor a finished benchmark"),
            (['{"parbench_journal": 2, "session": {}}', benchmark_line(1)],
             "journal line 1: journal format 2 is not known"),
            (['{"parbench_journal": true, "session": {}}', benchmark_line(1)],
             "journal line 1: journal format true is not known"),
            (['{"parbench_journal": 1, "session": []}', benchmark_line(1)],
             "journal line 1: the session header's 'session' is an array, not an object"),
            ([HEADER, '{"benchmark": "a", "entries": {}}'],
             "journal line 2: 'entries' is an object, not an array"),
            ([HEADER, '{"benchmark": 7, "entries": []}'],
             "journal line 2: 'benchmark' is a number, not a string"),
            ([HEADER], "a journal of an unfinished run in which no benchmark has finished yet"),
            (['{"parbench_journal": 1, "session": {"not_run": 3}}', benchmark_line(1)],
             "'context.not_run' is a number"),
        ]
        for lines, says in cases:
            with self.subTest(says=says):
                self.refused(self.write("bad.partial", "\n".join(lines) + "\n"), says)

    def test_a_broken_middle_line_in_the_fixture(self):
        self.refused(os.path.join(FIXTURES, "bad_journal_middle.json.partial"),
                     "is not a parbench journal: line 3 is not JSON")


def registry_entry(name, reference=False, **fields):
    return dict({"name": name, "reference": reference, "launches": ["inline"],
                 "sum_policies": [], "task_policies": []}, **fields)


def sum_entry(backend, workers, seconds):
    params = {"kernel": "sum", "backend": backend, "launch": "inline", "policy": "block",
              "workers": workers, "size": 1024, "bytes": 8192}
    return {"name": f"sum/{backend}/{workers}", "real_time": seconds, "time_unit": "s",
            "bytes_per_second": 8192 / seconds, "params": params}


class Registry(Folder):
    """What the plot knows of a backend comes from the report's registry, or for an older
    report from the one fallback table."""

    def report(self, backends=None):
        context = {"host_name": "h"} if backends is None else {"host_name": "h",
                                                               "backends": backends}
        entries = [sum_entry("inline", 1, 4.0), sum_entry("serial", 1, 3.0),
                   sum_entry("thread", 2, 2.0)]
        path = self.write("r.json", json.dumps({"context": context, "benchmarks": entries}))
        return loader.load_report(path)

    def test_read_from_the_report(self):
        report = loader.load_report(os.path.join(FIXTURES, "toy.json"))
        registry = report.registry
        self.assertTrue(registry.from_report)
        self.assertEqual(registry.order, ["serial", "thread", "fork", "openmp", "tbb", "toy"])
        self.assertEqual(registry.reference, "serial")
        self.assertEqual(registry.launches("toy"), ["loop"])
        self.assertEqual(registry.sum_policy("toy", loader.STRIDED_SPLIT), "stripes")
        self.assertEqual(registry.sum_policy("openmp", loader.CONTIGUOUS_SPLIT), "static")
        self.assertIsNone(registry.sum_policy("tbb", loader.STRIDED_SPLIT))

    def test_an_older_report_falls_back_to_the_known_backends(self):
        registry = loader.load_report(os.path.join(FIXTURES, "sum_only.json")).registry
        self.assertFalse(registry.from_report)
        self.assertEqual(registry.reference, "serial")
        self.assertEqual(registry.sum_policy("openmp", loader.STRIDED_SPLIT), "static1")
        self.assertEqual(registry.launches("thread"), ["spawn", "pool"])

    def test_the_reference_is_the_one_the_registry_marks(self):
        report = self.report([registry_entry("inline", reference=True), registry_entry("serial"),
                              registry_entry("thread")])
        self.assertEqual(report.registry.reference, "inline")
        self.assertEqual({r.backend for r in report.registry.without_reference(report.runs)},
                         {"serial", "thread"})
        self.assertEqual(report.registry.reference_name(), "inline")
        older = self.report()
        self.assertEqual({r.backend for r in older.registry.without_reference(older.runs)},
                         {"inline", "thread"})
        none = self.report([registry_entry("inline"), registry_entry("thread")])
        self.assertIsNone(none.registry.reference)
        self.assertEqual(none.registry.reference_name(), "the reference")

    def test_colours_fixed_for_the_known_five_and_by_registry_order_for_others(self):
        fixed = {b["name"]: b["color"] for b in loader.KNOWN_BACKENDS}
        report = self.report([registry_entry("zeta"), registry_entry("thread"),
                              registry_entry("alpha", reference=True)])
        look = palette.BackendLook([report])
        self.assertEqual(look.order, ["zeta", "thread", "alpha", "inline", "serial"])
        self.assertEqual(look.color("thread"), fixed["thread"])
        self.assertEqual(look.color("serial"), fixed["serial"])  # ran, though not listed
        self.assertEqual(look.color("zeta"), palette.SPARE_COLORS[0])
        self.assertEqual(look.color("alpha"), palette.SPARE_COLORS[1])
        self.assertEqual(look.color("inline"), palette.SPARE_COLORS[2])  # unlisted: after, by name
        toy = loader.load_report(os.path.join(FIXTURES, "toy.json"))
        self.assertEqual(palette.BackendLook([toy]).color("toy"), palette.SPARE_COLORS[0])
        old = loader.load_report(os.path.join(FIXTURES, "sum_only.json"))
        self.assertEqual(palette.BackendLook([old]).colors, fixed)

    def test_bad_registries(self):
        def backends_with(**fields):
            return [registry_entry("thread", **fields)]

        cases = [
            ({}, "'context.backends' is an object, not an array of backends"),
            (None, "'context.backends' is null, not an array of backends"),
            (["serial"], "'context.backends[0]' is a string, not an object"),
            ([{}], "'context.backends[0]' has no 'name'"),
            ([{"name": 7}], "'context.backends[0].name' is a number, not a non-empty string"),
            ([{"name": ""}], "'context.backends[0].name' is a string, not a non-empty string"),
            (backends_with(reference="yes"),
             "'context.backends[0].reference' is a string, not true or false"),
            (backends_with(launches=[1]),
             "'context.backends[0].launches' is an array, not an array of strings"),
            (backends_with(sum_policies={}),
             "'context.backends[0].sum_policies' is an object, not an array of policies"),
            (backends_with(task_policies=[{"split": "block"}]),
             "'context.backends[0].task_policies[0]' has no 'name'"),
            (backends_with(sum_policies=[{"name": "block", "split": 3}]),
             "'context.backends[0].sum_policies[0].split' is a number, not a string"),
            ([registry_entry("fork"), registry_entry("fork")],
             "'context.backends' names the backend 'fork' twice"),
            ([registry_entry("serial", True), registry_entry("inline", True)],
             "marks 2 backends as the reference ('serial', 'inline'): a report has one"),
        ]
        for backends, says in cases:
            with self.subTest(says=says):
                path = self.write("bad.json", json.dumps({
                    "context": {"backends": backends},
                    "benchmarks": [sum_entry("thread", 2, 1.0)]}))
                self.refused(path, says)


class Context(Folder):
    """What the figures and the page read of the context: the runtimes (context.runtimes, or
    for an older report the top level), the caches, the read bandwidth."""

    def report(self, context):
        path = self.write("r.json", json.dumps({"context": context,
                                                "benchmarks": [sum_entry("thread", 2, 1.0)]}))
        return loader.load_report(path)

    def test_runtimes_under_context_runtimes(self):
        report = loader.load_report(os.path.join(FIXTURES, "findings.json"))
        self.assertEqual(list(report.runtimes), ["openmp", "tbb", "mpi"])  # the registry's order
        self.assertEqual(report.runtimes["mpi"]["world_size"], 4)
        self.assertEqual(report.runtimes["openmp"]["runtime"], "libgomp.so.1")

    def test_runtimes_of_an_older_report_at_the_top_level(self):
        older = loader.load_report(os.path.join(FIXTURES, "sum_only.json"))
        self.assertNotIn("runtimes", older.context)
        self.assertEqual(list(older.runtimes), ["openmp", "tbb"])  # KNOWN_BACKENDS' names
        self.assertEqual(older.runtimes["tbb"]["version"], "2021.8")
        world = {"library": "Open MPI v4.1.4", "world_size": 1}
        registered = self.report({"backends": [registry_entry("serial", True),
                                               registry_entry("mpi")],
                                  "mpi": world, "serial": None, "pin": "none"})
        self.assertEqual(registered.runtimes, {"mpi": world})

    def test_context_runtimes_is_preferred_to_the_top_level(self):
        report = self.report({"runtimes": {"zeta": {"v": 2}, "tbb": {"v": 1}, "openmp": None},
                              "openmp": {"v": "old"}, "tbb": {"v": "old"}})
        self.assertEqual(report.runtimes, {"tbb": {"v": 1}, "zeta": {"v": 2}})
        self.assertEqual(list(report.runtimes), ["tbb", "zeta"])  # registry's order, then names
        none = self.report({"runtimes": {}, "openmp": {"v": "old"}})
        self.assertEqual(none.runtimes, {})

    def test_caches_from_cache_levels_else_google_benchmark_s(self):
        report = loader.load_report(os.path.join(FIXTURES, "full.json"))
        self.assertEqual([(c.level, c.type, c.bytes) for c in report.caches],
                         [(1, "Data", 32768), (2, "Unified", 1 << 20), (3, "Unified", 16 << 20)])
        self.assertEqual(report.caches[2].shared_cpu_list, "0-3")
        self.assertEqual(report.last_level_cache(), 16 << 20)
        older = self.report({"caches": [{"type": "Data", "level": 1, "size": 49152},
                                        {"type": "Instruction", "level": 1, "size": 32768},
                                        {"type": "Unified", "level": 2, "size": None}]})
        self.assertEqual([(c.level, c.bytes) for c in older.caches], [(1, 49152)])
        self.assertEqual(self.report({}).caches, [])
        self.assertIsNone(self.report({}).last_level_cache())

    def test_read_bandwidth_only_where_it_is_a_positive_number(self):
        report = self.report({"read_bandwidth": 2e10, "read_bandwidth_one_thread": None})
        self.assertEqual(report.read_bandwidth, 2e10)
        self.assertIsNone(report.read_bandwidth_one_thread)
        self.assertIsNone(self.report({"read_bandwidth": 0}).read_bandwidth)
        self.assertIsNone(self.report({"read_bandwidth": "fast"}).read_bandwidth)


class Timelines(Folder):
    """A run's recorded job: the last repetition whose timeline has tasks."""

    def test_tasks_with_their_numbers_and_the_job_s_marks(self):
        timeline = [{"task": 0, "worker": 1, "start": 0.0, "end": 0.002, "duration": 0.002},
                    {"task": 1, "worker": 0, "start": 0.0, "end": 0.001, "duration": None},
                    {"task": 2, "worker": "?", "start": 0.0, "end": 0.001}, "not a task"]
        entries = [dict(timed_entry(1, "s", 0), timeline=[{"worker": 0, "start": 0, "end": 1}]),
                   dict(timed_entry(1, "s", 1), timeline=timeline, makespan=0.002,
                        lower_bound=None, workers_obtained=2.0),
                   dict(timed_entry(1, "s", 2), timeline=[{"worker": None}])]
        path = self.write("r.json", json.dumps({"context": {}, "benchmarks": entries}))
        job = loader.load_report(path).runs[0].last_timeline()
        self.assertEqual(job.tasks, [loader.Task(1, 0.0, 0.002, 0, 0.002),
                                     loader.Task(0, 0.0, 0.001, 1, None)])
        self.assertEqual((job.workers, job.makespan, job.predicted, job.lower_bound),
                         (2, 0.002, None, None))
        path = self.write("r.json", json.dumps({"context": {}, "benchmarks": entries[2:]}))
        self.assertIsNone(loader.load_report(path).runs[0].last_timeline())


class StandardLibraryOnly(unittest.TestCase):
    def test_reading_reports_does_not_import_matplotlib(self):
        loader.load_report(os.path.join(FIXTURES, "full.json"))
        self.assertNotIn("matplotlib", sys.modules)


def timed_entry(real_time, time_unit=None, repetition=0, **fields):
    entry = dict({"name": "sum/1", "run_type": "iteration", "repetition_index": repetition,
                  "real_time": real_time, "cpu_time": real_time,
                  "params": json.loads(PARAMS % 1)}, **fields)
    if time_unit is not None:
        entry["time_unit"] = time_unit
    return entry


class TimeUnits(Folder):
    def test_times_read_in_seconds(self):
        for unit, seconds in (("ns", 1500e-9), ("us", 1500e-6), ("ms", 1.5), ("s", 1500.0),
                              (None, 1500e-9)):  # Google Benchmark's default is ns
            with self.subTest(unit=unit):
                entry = timed_entry(1500, unit)
                self.assertAlmostEqual(loader.entry_value(entry, "real_time"), seconds)
                self.assertAlmostEqual(loader.entry_value(entry, "cpu_time"), seconds)

    def test_other_fields_keep_their_own_units(self):
        entry = timed_entry(7, "ms", bytes_per_second=2e9, makespan=0.25)
        self.assertEqual(loader.entry_value(entry, "bytes_per_second"), 2e9)
        self.assertEqual(loader.entry_value(entry, "makespan"), 0.25)  # seconds, by the schema
        self.assertIsNone(loader.entry_value(entry, "speedup"))

    def test_repetitions_in_different_units_meet_in_seconds(self):
        path = self.write("r.json", json.dumps({"context": {}, "benchmarks": [
            timed_entry(2, "ms", 0), timed_entry(3000, "us", 1), timed_entry(0.001, "s", 2)]}))
        run = loader.load_report(path).runs[0]
        self.assertEqual(sorted(run.values("real_time")), [0.001, 0.002, 0.003])
        self.assertAlmostEqual(run.center("real_time"), 0.002)

    def test_an_unknown_time_unit_is_refused(self):
        for unit, says in (("min", "benchmarks[0] ('sum/1'): unknown time_unit 'min' "
                                   "(known: ns, us, ms, s)"),
                           (5, "benchmarks[0] ('sum/1'): 'time_unit' is a number, not a string")):
            with self.subTest(unit=unit):
                path = self.write("r.json", json.dumps({"context": {},
                                                        "benchmarks": [timed_entry(1, unit)]}))
                self.refused(path, says)


class BareNonFinite(Folder):
    """Google Benchmark writes NaN, -NaN, Infinity and -Infinity as bare words, which JSON lacks;
    they read as null, a value that is not there, as parbench-compare reads them."""

    def test_each_word_reads_as_null(self):
        value, why = loader.parse_json_text('[NaN, -NaN, Infinity, -Infinity, 1]')
        self.assertIsNone(why)
        self.assertEqual(value, [None, None, None, None, 1])

    def test_printf_s_words_read_as_null_too(self):
        """As the C++ reader (schema/json.cpp) reads them."""
        value, why = loader.parse_json_text('{"a": [nan, -nan, inf, -inf], "b": NaN}')
        self.assertIsNone(why)
        self.assertEqual(value, {"a": [None, None, None, None], "b": None})

    def test_the_words_inside_strings_are_left_alone(self):
        value, _ = loader.parse_json_text('{"a": "x -NaN \\" -NaN", "b": -NaN}')
        self.assertEqual(value, {"a": 'x -NaN " -NaN', "b": None})
        value, _ = loader.parse_json_text('{"info": "nan inf Infinity", "c": [inf]}')
        self.assertEqual(value, {"info": "nan inf Infinity", "c": [None]})

    def test_a_number_too_large_is_no_number(self):
        value, _ = loader.parse_json_text('[1e999]')
        self.assertFalse(loader.is_number(value[0]))

    def test_a_repetition_without_a_number_is_left_out_of_the_median(self):
        text = ('{"context": {}, "benchmarks": [%s, %s, %s, %s]}' % tuple(
            json.dumps(timed_entry(t, "s", i)) for i, t in enumerate((1, 2, 3, 4))))
        for word in ("NaN", "-NaN", "Infinity", "-Infinity"):
            with self.subTest(word=word):
                path = self.write("r.json", text.replace('"real_time": 4', f'"real_time": {word}'))
                run = loader.load_report(path).runs[0]
                self.assertEqual(run.values("real_time"), [1.0, 2.0, 3.0])
                self.assertEqual(run.center("real_time"), 2.0)

    def test_a_journal_line_with_negative_nan(self):
        entry = json.dumps(timed_entry(1, "s")).replace('"cpu_time": 1', '"cpu_time": -NaN')
        path = self.write("j.partial", "\n".join(
            [HEADER, '{"benchmark": "sum/1", "entries": [%s]}' % entry, ""]))
        run = loader.load_report(path).runs[0]
        self.assertEqual(run.values("cpu_time"), [])
        self.assertEqual(run.values("real_time"), [1.0])


class Centre(Folder):
    """A run's value is the median of its repetitions with its interval, else the median
    aggregate without one: the centre parbench-compare takes (tools/compare/matching.cpp)."""

    def test_the_median_of_the_repetitions_with_their_interval(self):
        run = loader.load_report(os.path.join(FIXTURES, "full.json")).runs[0]
        values = run.values("real_time")
        found = run.stat("real_time")
        self.assertEqual(found.center, stats.median(values))
        self.assertEqual((found.low, found.high), (min(values), max(values)))  # 3 repetitions

    def test_the_same_centre_as_the_median_aggregate(self):
        report = loader.load_report(os.path.join(FIXTURES, "full.json"))
        for run in report.runs:
            aggregate = loader.entry_value(run.aggs["median"], "real_time")
            self.assertAlmostEqual(run.center("real_time"), aggregate, msg=run.params)

    def test_aggregates_only_give_the_median_aggregate_without_an_interval(self):
        run = loader.load_report(os.path.join(FIXTURES, "sum_only.json")).runs[0]
        self.assertEqual(run.reps, [])
        found = run.stat("real_time")
        self.assertEqual(found.center, loader.entry_value(run.aggs["median"], "real_time"))
        self.assertFalse(found.has_interval)
        self.assertNotEqual(found.center, loader.entry_value(run.aggs["mean"], "real_time"))

    def test_only_the_median_aggregate_is_a_centre(self):
        mean = dict(timed_entry(5, "s"), run_type="aggregate", aggregate_name="mean")
        path = self.write("r.json", json.dumps({"context": {}, "benchmarks": [mean]}))
        self.assertIsNone(loader.load_report(path).runs[0].stat("real_time"))

    def test_an_aggregate_name_without_run_type_is_an_aggregate(self):
        older = timed_entry(9, "s", aggregate_name="median")
        del older["run_type"]
        path = self.write("r.json", json.dumps({"context": {}, "benchmarks": [
            timed_entry(1, "s", 0), timed_entry(2, "s", 1), older]}))
        run = loader.load_report(path).runs[0]
        self.assertEqual(run.values("real_time"), [1.0, 2.0])
        self.assertEqual(run.center("real_time"), 1.5)

    def test_failed_and_skipped_entries_are_left_out(self):
        path = self.write("r.json", json.dumps({"context": {}, "benchmarks": [
            timed_entry(1, "s", 0), timed_entry(50, "s", 1, error_occurred=True),
            timed_entry(60, "s", 2, skipped=True)]}))
        report = loader.load_report(path)
        self.assertEqual(report.runs[0].values("real_time"), [1.0])
        self.assertEqual(report.notes,
                         [f"{path}: 2 benchmark entries reported errors and are left out"])


class Findings(Folder):
    """The report's answers (reports/SCHEMA.md: findings), read for the result page."""

    def test_read_from_the_report(self):
        report = loader.load_report(os.path.join(FIXTURES, "findings.json"))
        self.assertEqual([f["question"] for f in report.findings],
                         ["split", "bandwidth", "launch", "uneven", "oversubscription",
                          "placement", "measurement"])
        names = {run.run_name for run in report.runs}
        cited = {n for f in report.findings for n in f["evidence"]}
        self.assertEqual(cited - names, {"sum/thread/pool/block/workers:64/size:4194304"})

    def test_a_report_before_findings_has_none(self):
        self.assertIsNone(loader.load_report(os.path.join(FIXTURES, "full.json")).findings)

    def test_bad_findings(self):
        cases = [
            ({}, "'findings' is an object, not an array of findings"),
            (["split"], "'findings[0]' is a string, not an object"),
            ([{"title": 3}], "'findings[0].title' is a number, not a string"),
            ([{"answer": None}], "'findings[0].answer' is null, not a string"),
            ([{"supported": "yes"}], "'findings[0].supported' is a string, not true or false"),
            ([{"evidence": "sum/1"}], "'findings[0].evidence' is a string, not an array of "
                                      "strings"),
            ([{"figures": [1]}], "'findings[0].figures' is an array, not an object"),
        ]
        for findings, says in cases:
            with self.subTest(says=says):
                path = self.write("bad.json", json.dumps({
                    "context": {}, "benchmarks": [sum_entry("thread", 2, 1.0)],
                    "findings": findings}))
                self.refused(path, says)

    def test_unknown_keys_are_kept(self):
        path = self.write("r.json", json.dumps({
            "context": {}, "benchmarks": [sum_entry("thread", 2, 1.0)],
            "findings": [{"question": "new", "later": {"x": 1}}]}))
        self.assertEqual(loader.load_report(path).findings, [{"question": "new",
                                                              "later": {"x": 1}}])


class MedianEntry(Folder):
    """What the result page reads of a run's median entry: its run_name, the interval parbench
    measured (measurement.median_interval), the entries that failed."""

    def median(self, real_time, interval, unit="us", **fields):
        entry = dict(timed_entry(real_time, unit), run_type="aggregate", aggregate_name="median",
                     name="sum/1_median", run_name="sum/1", bytes_per_second=8e9 / real_time,
                     speedup=2.0, **fields)
        if interval is not None:
            entry["measurement"] = {"median_interval": interval, "repetitions": 9}
        return entry

    def test_run_name_from_the_entries(self):
        report = loader.load_report(os.path.join(FIXTURES, "full.json"))
        self.assertEqual(report.runs[0].run_name, "sum/serial/inline/block/workers:1/size:2048")

    def test_aggregates_only_take_the_measured_interval(self):
        path = self.write("r.json", json.dumps({"context": {}, "benchmarks": [
            self.median(100.0, [80.0, 125.0])]}))
        run = loader.load_report(path).runs[0]
        low, high = run.median_interval()
        self.assertAlmostEqual(low, 80e-6)
        self.assertAlmostEqual(high, 125e-6)
        time = run.stat("real_time")
        self.assertAlmostEqual(time.low, 80e-6)
        self.assertAlmostEqual(time.high, 125e-6)
        rate = run.stat("bytes_per_second")  # bytes / time: the ends swap
        self.assertAlmostEqual(rate.low, 8e9 / 125.0)
        self.assertAlmostEqual(rate.high, 8e9 / 80.0)
        speedup = run.stat("speedup")
        self.assertAlmostEqual(speedup.low, 2.0 * 100 / 125)
        self.assertFalse(run.stat("cpu_time").has_interval)  # not made from the real time

    def test_repetitions_give_the_same_interval_as_parbench(self):
        reps = [dict(timed_entry(t, "us", i), run_name="sum/1") for i, t in
                enumerate([5, 1, 4, 2, 3, 9, 6, 8, 7])]
        path = self.write("r.json", json.dumps({"context": {}, "benchmarks": reps + [
            self.median(5.0, [2.0, 8.0])]}))
        run = loader.load_report(path).runs[0]
        found = run.stat("real_time")
        self.assertEqual((found.low, found.high), (2e-6, 8e-6))  # k = 2 of 9
        for mine, written in zip((found.low, found.high), run.median_interval()):
            self.assertAlmostEqual(mine, written)

    def test_a_bad_interval_is_not_used(self):
        for interval in ([1.0], [3.0, 2.0], ["a", "b"], None, [0, 1]):
            with self.subTest(interval=interval):
                path = self.write("r.json", json.dumps({"context": {}, "benchmarks": [
                    self.median(2.0, interval)]}))
                run = loader.load_report(path).runs[0]
                self.assertIsNone(run.median_interval())
                self.assertFalse(run.stat("real_time").has_interval)

    def test_repetitions_coverage_and_decided_from_the_measurement(self):
        path = self.write("r.json", json.dumps({"context": {}, "benchmarks": [
            self.median(2.0, [1.0, 3.0])]}))
        run = loader.load_report(path).runs[0]
        self.assertEqual(run.repetition_count(), 9)
        self.assertIsNone(run.interval_coverage())
        self.assertFalse(run.undecided())
        entry = self.median(2.0, None)
        entry["measurement"] = {"interval_coverage": 0.9375, "decided": False}
        path = self.write("r.json", json.dumps({"context": {}, "benchmarks": [entry]}))
        run = loader.load_report(path).runs[0]
        self.assertIsNone(run.repetition_count())
        self.assertEqual(run.interval_coverage(), 0.9375)
        self.assertTrue(run.undecided())
        full = loader.load_report(os.path.join(FIXTURES, "full.json")).runs[0]
        self.assertEqual(full.repetition_count(), 3)

    def test_failed_entries_are_listed(self):
        path = self.write("r.json", json.dumps({"context": {}, "benchmarks": [
            timed_entry(1, "s", 0), dict(timed_entry(50, "s", 1), error_occurred=True,
                                         run_name="sum/2", error_message="job timed out")]}))
        self.assertEqual(loader.load_report(path).errors, [("sum/2", "job timed out")])


if __name__ == "__main__":
    unittest.main()
