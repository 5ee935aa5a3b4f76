#!/usr/bin/env python3
"""Tests of the plot command's loader (plots/parbench_plot.py): what it refuses to read, gzip,
incomplete reports and journals, and the registry of backends (context.backends). check_plot.py
runs it with a Python that has matplotlib:

  check_plot.py PLOT unit tests/plots/loader_test.py
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
sys.path.insert(0, os.path.join(HERE, "..", "..", "plots"))

import parbench_plot as plot  # noqa: E402  (after the path is set)

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
        with self.assertRaises(plot.InputError) as caught:
            plot.load_report(path)
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
        os.truncate(path, plot.MAX_INPUT_BYTES + 1)  # sparse: takes no disk
        self.refused(path, "huge.json is larger than 512 MiB: not a report")

    def test_gzip_bomb_is_stopped_while_it_inflates(self):
        cap = 1 << 20
        bomb = self.write("bomb.json.gz", gzip.compress(bytes(64 << 20), 9))
        original = plot.MAX_INPUT_BYTES
        plot.MAX_INPUT_BYTES = cap
        self.addCleanup(setattr, plot, "MAX_INPUT_BYTES", original)
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
        self.assertEqual(len(plot.load_report(path).runs),
                         len(plot.load_report(os.path.join(FIXTURES, "sum_only.json")).runs))


class Unfinished(Folder):
    def test_a_report_without_complete_is_complete(self):
        report = plot.load_report(os.path.join(FIXTURES, "sum_only.json"))
        self.assertEqual(report.notes, [])
        self.assertFalse(report.unfinished)

    def test_an_incomplete_report_says_what_was_not_run(self):
        path = os.path.join(FIXTURES, "incomplete.json")
        report = plot.load_report(path)
        self.assertEqual(report.notes, [
            f"note: {path} is incomplete: 12 benchmarks not run (interrupted by SIGTERM)"])
        self.assertTrue(report.stamp().endswith("· unfinished run"))

    def test_notes_for_each_kind_of_end(self):
        note = plot.completeness_note
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
            with self.assertRaises(plot.InputError) as caught:
                note("x", context)
            self.assertIn(says, str(caught.exception))

    def test_a_journal_reads_as_the_report_it_will_become(self):
        path = os.path.join(FIXTURES, "journal.json.partial")
        report = plot.load_report(path)
        self.assertEqual(report.notes,
                         [f"note: {path} is a journal of an unfinished run "
                          "(62 benchmarks finished)"])
        self.assertEqual(report.host, "fixture-b-resumed")  # the last session's context
        self.assertEqual(report.context["complete"], False)
        self.assertEqual(report.context["journal"], True)
        self.assertEqual(report.tag, "journal")  # figures named after the report it will be
        self.assertEqual(len(report.runs), 62)  # the first run twice counts once; the last torn
        # The first run's later line wins: its times are sum_only's, not twice them.
        complete = plot.load_report(os.path.join(FIXTURES, "sum_only.json"))
        first = report.runs[0]
        same = [r for r in complete.runs if r.params == first.params][0]
        self.assertAlmostEqual(first.center("real_time"), same.center("real_time"))
        self.assertEqual([r.params for r in report.runs],
                         [r.params for r in complete.runs][:62])

    def test_a_torn_last_line_is_left_out(self):
        for torn in ('{"benchmark": "sum/2", "entr', benchmark_line(2), '{"bench\n'):
            path = self.write("j.partial", "\n".join([HEADER, benchmark_line(1), torn]))
            report = plot.load_report(path)
            self.assertEqual([r.size for r in report.runs], [1], torn)

    def test_a_one_line_report_is_not_a_journal(self):
        path = self.write("one.json", '{"context": {"parbench_journal": 1}, "benchmarks": '
                          '[{"name": "a", "real_time": 1, "params": %s}]}' % (PARAMS % 1))
        self.assertEqual(plot.load_report(path).notes, [])

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
        return plot.load_report(path)

    def test_read_from_the_report(self):
        report = plot.load_report(os.path.join(FIXTURES, "toy.json"))
        registry = report.registry
        self.assertTrue(registry.from_report)
        self.assertEqual(registry.order, ["serial", "thread", "fork", "openmp", "tbb", "toy"])
        self.assertEqual(registry.reference, "serial")
        self.assertEqual(registry.launches("toy"), ["loop"])
        self.assertEqual(registry.sum_policy("toy", plot.STRIDED_SPLIT), "stripes")
        self.assertEqual(registry.sum_policy("openmp", plot.CONTIGUOUS_SPLIT), "static")
        self.assertIsNone(registry.sum_policy("tbb", plot.STRIDED_SPLIT))

    def test_an_older_report_falls_back_to_the_known_backends(self):
        registry = plot.load_report(os.path.join(FIXTURES, "sum_only.json")).registry
        self.assertFalse(registry.from_report)
        self.assertEqual(registry.reference, "serial")
        self.assertEqual(registry.sum_policy("openmp", plot.STRIDED_SPLIT), "static1")
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
        fixed = {b["name"]: b["color"] for b in plot.KNOWN_BACKENDS}
        report = self.report([registry_entry("zeta"), registry_entry("thread"),
                              registry_entry("alpha", reference=True)])
        look = plot.BackendLook([report])
        self.assertEqual(look.order, ["zeta", "thread", "alpha", "inline", "serial"])
        self.assertEqual(look.color("thread"), fixed["thread"])
        self.assertEqual(look.color("serial"), fixed["serial"])  # ran, though not listed
        self.assertEqual(look.color("zeta"), plot.SPARE_COLORS[0])
        self.assertEqual(look.color("alpha"), plot.SPARE_COLORS[1])
        self.assertEqual(look.color("inline"), plot.SPARE_COLORS[2])  # unlisted: after, by name
        toy = plot.load_report(os.path.join(FIXTURES, "toy.json"))
        self.assertEqual(plot.BackendLook([toy]).color("toy"), plot.SPARE_COLORS[0])
        old = plot.load_report(os.path.join(FIXTURES, "sum_only.json"))
        self.assertEqual(plot.BackendLook([old]).colors, fixed)

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


if __name__ == "__main__":
    unittest.main()
