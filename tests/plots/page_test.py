#!/usr/bin/env python3
"""Tests of the result page's pieces (plots/parbench/page.py), of the gallery's numbers
(gallery.py), of the timelines as a trace (trace.py), and of check_page.py's idea of a
self-contained page. They use only the standard library, so they run under any Python 3.8 or
newer, with or without matplotlib:

  python3 tests/plots/page_test.py
"""

import json
import os
import re
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
SKIP = 77

if sys.version_info < (3, 8):
    print(f"SKIP: Python {sys.version.split()[0]} is older than 3.8")
    sys.exit(SKIP)

sys.path.insert(0, os.path.join(HERE, "..", "..", "plots"))
sys.path.insert(0, HERE)

from check_page import static_problems  # noqa: E402
from parbench import gallery, page, trace  # noqa: E402
from parbench import report as loader  # noqa: E402

# What matplotlib 3.6 writes, cut down: prologue, DOCTYPE, metadata with URLs, a style sheet,
# ids that something refers to and ids that nothing does, text as text.
MATPLOTLIB_SVG = """<?xml version="1.0" encoding="utf-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="460.8pt" height="345.6pt" \
viewBox="0 0 460.8 345.6" xmlns="http://www.w3.org/2000/svg" version="1.1">
 <metadata>
  <rdf:RDF xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:title>Matplotlib v3.6.3, https://matplotlib.org/</dc:title>
  </rdf:RDF>
 </metadata>
 <defs>
  <style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>
 </defs>
 <g id="figure_1">
  <g id="patch_1">
   <path d="M 0 345.6 
L 460.8 345.6 
z
" clip-path="url(#p1a2b3c4d5e)" style="fill: #ffffff"/>
  </g>
  <defs>
   <path id="m141b5a40c2" d="M 0 0 
L 0 3.5 
" style="stroke: #000000; stroke-width: 0.8"/>
  </defs>
  <use xlink:href="#m141b5a40c2" x="73.832727" y="307.584" style="stroke: #000000"/>
  <g id="text_1">
   <text style="font: 10px 'DejaVu Sans', 'Bitstream Vera Sans', 'Computer Modern Sans Serif', \
'Lucida Grande', 'Verdana', 'Geneva', 'Lucid', 'Arial', 'Helvetica', 'Avant Garde', sans-serif; \
text-anchor: middle" x="73.832727" y="322.182437" transform="rotate(-0 73.832727 322.182437)">\
a &lt; b</text>
  </g>
 </g>
 <defs>
  <clipPath id="p1a2b3c4d5e">
   <rect x="57.6" y="41.472" width="357.12" height="266.112"/>
  </clipPath>
 </defs>
</svg>
"""


class InlineSvg(unittest.TestCase):
    def setUp(self):
        self.svg = page.inline_svg(MATPLOTLIB_SVG, "f3-", "bandwidth")

    def test_no_url_is_left(self):
        self.assertNotIn("http", self.svg)
        self.assertNotIn("<?xml", self.svg)
        self.assertNotIn("DOCTYPE", self.svg)
        self.assertNotIn("<style", self.svg)
        self.assertTrue(self.svg.startswith("<svg "))

    def test_ids_referred_to_are_prefixed_and_the_others_dropped(self):
        ids = re.findall(r'\bid="([^"]+)"', self.svg)
        self.assertEqual(sorted(ids), ["f3-0", "f3-1"])
        self.assertIn('clip-path="url(#f3-0)"', self.svg)
        self.assertIn('xlink:href="#f3-1"', self.svg)
        self.assertNotIn("figure_1", self.svg)

    def test_shorter_and_still_the_same_drawing(self):
        self.assertIn('d="M0 345.6L460.8 345.6z"', self.svg)
        self.assertIn('x="73.83"', self.svg)
        self.assertIn("font-size:10px", self.svg)
        self.assertNotIn("Avant Garde", self.svg)
        self.assertNotIn("rotate(-0", self.svg)
        self.assertIn(">a &lt; b</text>", self.svg)
        self.assertIn('viewBox="0 0 460.8 345.6"', self.svg)
        self.assertIn('aria-label="bandwidth"', self.svg)

    def test_a_page_of_it_is_self_contained(self):
        html = page.document("t", page.figure_html("bandwidth", MATPLOTLIB_SVG, "f0-"))
        self.assertEqual(static_problems(html), [])


class Numbers(unittest.TestCase):
    def test_significant_digits(self):
        self.assertEqual(page.sig(0.48682994), "0.487")
        self.assertEqual(page.sig(1234.5), "1234")
        self.assertEqual(page.sig(2.0), "2.00")
        self.assertEqual(page.sig(3e-7), "3e-07")
        self.assertEqual(page.sig(None), "")

    def test_times(self):
        self.assertEqual(page.time_text(4.05e-6), "4.05 µs")
        self.assertEqual(page.time_text(0.0132), "13.2 ms")
        self.assertEqual(page.time_text(2.5), "2.50 s")
        self.assertEqual(page.time_text(2e-10), "0.200 ns")

    def test_finding_figures_by_their_names(self):
        self.assertEqual(page.figure_value("bytes", 2147483648), "2 GiB")
        self.assertEqual(page.figure_value("read_bandwidth", 28.5e9), "28.5 GB/s")
        self.assertEqual(page.figure_value("thread/pool/dispatch", 5.01e-6), "5.01 µs")
        self.assertEqual(page.figure_value("workers", 4), "4")
        self.assertEqual(page.figure_value("fork", 0.8175), "0.8175")


class Findings(unittest.TestCase):
    def setUp(self):
        self.report = loader.load_report(os.path.join(FIXTURES, "findings.json"))
        self.anchors = page.anchors_of(self.report, 0)
        self.html = page.findings_html(self.report, self.anchors, "s0-")

    def test_title_and_answer_of_each_escaped(self):
        self.assertEqual(self.html.count('<section class="finding'), 7)
        self.assertIn("<h3>Contiguous blocks or a strided split?</h3>", self.html)
        self.assertIn("(too few repetitions: 3 &lt; 6).", self.html)

    def test_not_answered_is_muted(self):
        muted = re.findall(r'<section class="finding unsupported"[^>]*>\s*<h3>([^<]*)</h3>',
                           self.html)
        self.assertEqual(muted, ["Where did the work run, and did placement matter? (not "
                                 "answered by this run)",
                                 "How well are these numbers known? (not answered by this run)"])

    def test_evidence_links_to_its_row(self):
        name = "sum/thread/pool/block/workers:4/size:4194304"
        self.assertIn(f'<a href="#{self.anchors[name]}">{name}</a>', self.html)
        self.assertIn("sum/thread/pool/block/workers:64/size:4194304 (not in the table)",
                      self.html)
        run = next(r for r in self.report.runs if r.run_name == name)
        row = page.result_row(run, self.anchors[name])
        self.assertTrue(row.startswith(f'<tr id="{self.anchors[name]}"><td>{name}'))

    def test_numbers_of_a_finding(self):
        self.assertIn("<dt>bytes</dt><dd>32 MiB</dd>", self.html)

    def test_a_report_before_findings_says_so(self):
        older = loader.load_report(os.path.join(FIXTURES, "full.json"))
        self.assertIn("This report predates findings", page.findings_html(older, {}))


class Results(unittest.TestCase):
    def test_a_row_per_run_with_its_median_and_interval(self):
        report = loader.load_report(os.path.join(FIXTURES, "full.json"))
        html = page.results_html(report, page.anchors_of(report, 0))
        self.assertEqual(html.count("<tr id="), len(report.runs))
        run = report.runs[0]
        row = page.result_row(run, "x")
        found = run.stat("real_time")
        self.assertIn(f'data-v="{found.center:.6g}">{page.time_text(found.center)}', row)
        self.assertIn(" range", row)  # 3 repetitions: their range, not a 95% interval
        cells = row.count("<td")
        self.assertEqual(cells, len(page.COLUMNS))

    def test_interval_from_the_report_and_makespan_over_model(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "r.json")
            entry = {"name": "sleep/x_median", "run_name": "sleep/x", "run_type": "aggregate",
                     "aggregate_name": "median", "real_time": 12.0, "time_unit": "ms",
                     "makespan": 0.012, "predicted": 0.010,
                     "measurement": {"median_interval": [11.0, 13.0], "repetitions": 9,
                                     "interval_coverage": 0.96, "decided": False},
                     "params": {"kernel": "sleep", "backend": "thread", "workers": 4}}
            with open(path, "w") as f:
                json.dump({"context": {}, "benchmarks": [entry]}, f)
            run = loader.load_report(path).runs[0]
        row = page.result_row(run, "x")
        self.assertIn("11.0 ms – 13.0 ms (±8.33%)<", row)
        self.assertIn('data-v="9">9 ~', row)  # undecided
        self.assertIn('data-v="1.2">1.20', row)  # makespan / model


class Machine(unittest.TestCase):
    """The machine and the run: a row per runtime the report records, from context.runtimes or,
    in a report made before it, from the top level of the context."""

    def rows(self, name):
        return dict(page.context_rows(loader.load_report(os.path.join(FIXTURES, name))))

    def test_every_runtime_under_context_runtimes(self):
        rows = self.rows("findings.json")
        self.assertEqual([w for w in rows if w.endswith(" runtime")],
                         ["openmp runtime", "tbb runtime", "mpi runtime"])
        self.assertEqual(rows["openmp runtime"], "max_threads 4, runtime libgomp.so.1, "
                                                 "version 201511")
        world = rows["mpi runtime"]
        for fact in ("library Open MPI v4.1.4", "standard 3.1", "world_size 4", "hosts 2",
                     "within_a_host shared memory (btl vader)", "between_hosts TCP (btl tcp)"):
            self.assertIn(fact, world)
        self.assertNotIn("\n", world)
        self.assertNotIn("rank 0 alone", world)  # a sentence: in the whole context only
        self.assertNotIn("fixture-a2", world)  # each rank: likewise
        self.assertLess(len(world), 300)

    def test_every_runtime_of_an_older_report(self):
        rows = self.rows("sum_only.json")
        self.assertEqual([w for w in rows if w.endswith(" runtime")],
                         ["openmp runtime", "tbb runtime"])
        self.assertEqual(rows["tbb runtime"], "interface_version 12080, runtime libtbb.so.12, "
                                              "version 2021.8")

    def test_the_runtimes_on_the_page(self):
        for name, backends in (("findings.json", ["openmp", "tbb", "mpi"]),
                               ("sum_only.json", ["openmp", "tbb"])):
            with self.subTest(name=name):
                report = loader.load_report(os.path.join(FIXTURES, name))
                html = page.context_html(report)
                shown = re.findall(r"<tr><th>(\w+) runtime</th><td>([^<]+)</td>", html)
                self.assertEqual([b for b, _ in shown], backends)
                self.assertTrue(all(text.strip() for _, text in shown))

    def test_the_rest_of_the_machine(self):
        rows = self.rows("full.json")
        self.assertEqual(rows["caches"], "L1d 32 KiB (CPUs 0), L2 1 MiB (CPUs 0), "
                                         "L3 16 MiB (CPUs 0-3)")
        self.assertEqual(rows["read bandwidth"], "20.0 GB/s (all usable CPUs), "
                                                 "12.0 GB/s (one thread)")
        self.assertEqual(rows["usable CPUs"], "4, affinity 0-3, online 4")
        self.assertEqual(rows["run"], "suite quick, 2026-01-15T10:00:00+00:00, complete")
        unfinished = self.rows("incomplete.json")["run"]
        self.assertIn("unfinished (interrupted: SIGTERM), 12 benchmarks not run", unfinished)


class Trace(unittest.TestCase):
    def test_timelines_as_trace_events(self):
        report = loader.load_report(os.path.join(FIXTURES, "full.json"))
        runs = [r for r in report.select("sleep", tasks="seed", workers=4) if r.last_timeline()]
        text = trace.gantt_trace(report, "sleep", "seed", runs)
        events = json.loads(text)["traceEvents"]
        tasks = [e for e in events if e["ph"] == "X"]
        self.assertEqual(len(tasks), 8 * len(runs))
        first = runs[0].last_timeline().tasks[0]
        mine = [e for e in tasks if e["pid"] == 1 and e["args"]["task"] == first.task][0]
        self.assertAlmostEqual(mine["ts"], first.start * 1e6, places=2)
        self.assertAlmostEqual(mine["dur"], (first.end - first.start) * 1e6, places=2)
        self.assertEqual(mine["tid"], first.worker)
        self.assertEqual(mine["name"], f"task {first.task} ({first.duration / 1e-3:g} units)")
        names = [e["args"]["name"] for e in events if e["name"] == "process_name"]
        self.assertEqual(len(names), len(runs))
        self.assertEqual(len({e["pid"] for e in tasks}), len(runs))
        marks = [e for e in events if e["ph"] == "i"]
        self.assertEqual(len(marks), 3 * len(runs))


class Gallery(unittest.TestCase):
    def test_machines_of_a_folder_of_folders(self):
        with tempfile.TemporaryDirectory() as folder:
            for machine, files in (("a", ["full.json", "other.json"]), ("b", ["x.json",
                                                                             "y.json"]),
                                   ("c", ["notes.txt"])):
                os.mkdir(os.path.join(folder, machine))
                for name in files:
                    with open(os.path.join(FIXTURES, "sum_only.json")) as src, \
                            open(os.path.join(folder, machine, name), "w") as dst:
                        dst.write(src.read())
            machines = gallery.find_machines([folder])
            self.assertEqual([m.name for m in machines], ["a", "b/x", "b/y"])
            one = gallery.find_machines([os.path.join(folder, "a")])
            self.assertEqual([m.name for m in one], ["a"])
            with self.assertRaises(loader.InputError) as caught:
                gallery.find_machines([os.path.join(folder, "c")])
            self.assertIn("holds no reports", str(caught.exception))

    def test_numbers_normalised_by_their_machine(self):
        machine = gallery.find_machines([os.path.join(FIXTURES, "full.json")])[0]
        self.assertEqual(machine.name, "fixtures")
        report = machine.report
        items, size = gallery.bandwidth_items(report)
        self.assertEqual(size, 4194304 * 8)
        thread = next(i for i in items if i.backend == "thread")
        best = max((r for r in report.select("sum", backend="thread", bytes=size, workers=4)),
                   key=lambda r: r.center("bandwidth_fraction"))
        self.assertAlmostEqual(thread.value.center, best.center("bandwidth_fraction"))
        speedups, _, workers = gallery.speedup_items(report, "speedup")
        self.assertEqual(workers, 4)  # the usable CPUs
        self.assertNotIn("serial", [i.backend for i in speedups])
        sleep, tasks, at = gallery.seed_items(report, "sleep")
        self.assertEqual((tasks, at), ("seed", 4))
        lpt = next(i for i in sleep if i.backend == "thread")
        self.assertIn("lpt", lpt.label)  # the fastest policy
        dispatch, _ = gallery.dispatch_items(report)
        self.assertEqual([(i.backend, i.launch) for i in dispatch if i.backend == "thread"],
                         [("thread", "spawn"), ("thread", "pool")])

    def test_the_page_lists_each_machine_and_every_number(self):
        machines = gallery.find_machines([os.path.join(FIXTURES, "full.json"),
                                          os.path.join(FIXTURES, "sum_only.json")])
        html = gallery.gallery_page(machines, [])
        self.assertEqual(static_problems(html), [])
        self.assertIn("<li><b>fixtures</b>: Fixture CPU, 4 usable CPUs", html)
        self.assertIn("<li><b>fixtures (2)</b>: Fixture CPU, 8 usable CPUs", html)
        self.assertIn("fraction of own read bandwidth", html)


class SelfContained(unittest.TestCase):
    """check_page.static_problems must find what it is for, or the page tests prove nothing."""

    GOOD = ('<!DOCTYPE html><html><head><style>p{}</style></head><body><p id="a">x'
            '<table><tr><td>1<td>2<tr><td>3</table><a href="#a">a</a>'
            '<a download="t.json" href="data:application/json;base64,e30=">t</a>'
            '<svg><path d="M0 0" clip-path="url(#a)"/></svg></body></html>')

    def test_a_good_page(self):
        self.assertEqual(static_problems(self.GOOD), [])

    def test_what_is_caught(self):
        cases = [
            ('<img src="x.png">', "<img"),
            ('<script src="x.js"></script>', "<script src"),
            ('<a href="https://example.org/">e</a>', "https://"),
            ('<a href="page2.html">e</a>', "refers outside the page"),
            ('<link rel="stylesheet" href="a.css">', "<link> element"),
            ('<style>@import "a.css";</style>', "@import"),
            ('<div style="background: url(a.png)">x</div>', "url(a.png)"),
            ('<a href="#nowhere">x</a>', "links to ids that are not in the page"),
            ('<p id="a">again</p>', "ids used twice"),
            ("<div><span></div>", "</div> closes <span>"),
            ("<section>", "</body> closes <section>"),
            ("<section><p>x", "never closed"),
        ]
        for extra, says in cases:
            with self.subTest(says=says):
                html = (self.GOOD + extra if says == "never closed" else
                        self.GOOD.replace("</body>", extra + "</body>"))
                problems = static_problems(html)
                self.assertTrue(any(says in p for p in problems), problems)


if __name__ == "__main__":
    unittest.main()
