#!/usr/bin/env python3
"""Tests of what the figures draw (plots/parbench/*_figures.py, style.py): no line across
decades of array sizes, one x value said or drawn as bars, the ideal speedup stopping at the
usable CPUs, Karp–Flatt only where it means something, titles inside the figure, no warning.
They need matplotlib: under a Python without it they run again under the first one the plot
command would use (plots/plot's list), and exit 77 (skipped) where there is none.

  python3 tests/plots/figures_test.py
"""

import math
import os
import shutil
import subprocess
import sys
import unittest
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
SKIP = 77
PYTHONS = ("/usr/bin/python3", "python3", "/usr/local/bin/python3", "python")


def with_matplotlib():
    """Runs this file again under a Python that has matplotlib, or exits 77."""
    if os.environ.get("PARBENCH_FIGURES_TEST_AGAIN"):
        print("SKIP: no Python 3 with matplotlib")
        sys.exit(SKIP)
    for python in ([os.environ["PARBENCH_PYTHON"]] if os.environ.get("PARBENCH_PYTHON")
                   else []) + list(PYTHONS):
        found = shutil.which(python)
        if found and subprocess.run([found, "-c", "import sys, matplotlib; "
                                     "sys.exit(sys.version_info < (3, 8))"],
                                    capture_output=True).returncode == 0:
            env = dict(os.environ, PARBENCH_FIGURES_TEST_AGAIN="1")
            sys.exit(subprocess.run([found, *sys.argv], env=env).returncode)
    print("SKIP: no Python 3 with matplotlib (apt-get install python3-matplotlib)")
    sys.exit(SKIP)


try:
    import matplotlib  # noqa: F401  (only whether it is there)
except ImportError:
    with_matplotlib()

sys.path.insert(0, os.path.join(HERE, "..", "..", "plots"))

from parbench import palette  # noqa: E402
from parbench import report as loader  # noqa: E402
from parbench.launch_figures import fig_launch  # noqa: E402
from parbench.stats import Estimate  # noqa: E402
from parbench.style import MAX_JOIN, finish, new_figure, plot_series, plt  # noqa: E402
from parbench.sum_figures import (fig_bandwidth, fig_speedup, ideal_speedup,  # noqa: E402
                                  karp_flatt_means_something)
from parbench.task_figures import fig_sleep_spin  # noqa: E402


def load(name):
    report = loader.load_report(os.path.join(FIXTURES, name))
    palette.use([report])
    return report


def drawn(fig):
    fig.canvas.draw()
    return fig


class Lines(unittest.TestCase):
    def tearDown(self):
        plt.close("all")

    def test_points_far_apart_are_not_joined(self):
        fig, axes = new_figure(1, 1, 4, 3)
        points = [(2 ** 14, Estimate(1.0)), (2 ** 16, Estimate(2.0)),
                  (2 ** 26, Estimate(3.0)), (2 ** 31, Estimate(4.0))]
        line = plot_series(axes[0][0], points, max_gap=MAX_JOIN).lines[0]
        xs, ys = line.get_data()
        self.assertEqual([x if not math.isnan(x) else None for x in xs],
                         [2 ** 14, 2 ** 16, None, 2 ** 26, None, 2 ** 31])
        self.assertTrue(math.isnan(ys[2]))

    def test_points_close_together_are(self):
        fig, axes = new_figure(1, 1, 4, 3)
        points = [(2 ** (10 + 3 * i), Estimate(float(i + 1))) for i in range(5)]
        xs, _ = plot_series(axes[0][0], points, max_gap=MAX_JOIN).lines[0].get_data()
        self.assertEqual(list(xs), [p[0] for p in points])

    def test_without_a_gap_limit_every_point_is_joined(self):
        fig, axes = new_figure(1, 1, 4, 3)
        xs, _ = plot_series(axes[0][0], [(1, Estimate(1.0)), (1000, Estimate(2.0))]
                            ).lines[0].get_data()
        self.assertEqual(list(xs), [1, 1000])

    def test_the_bandwidth_of_three_sizes_decades_apart_is_points(self):
        fig = fig_bandwidth(load("quick.json"))[0][1]
        for ax in fig.axes:
            data = [line for line in ax.get_lines() if line.get_marker() not in (None, "None")
                    and line.get_linestyle() not in (None, "None")]
            self.assertTrue(data)
            for line in data:  # each point on its own: a break between every two
                xs = list(line.get_xdata())
                self.assertEqual(sum(math.isnan(x) for x in xs), (len(xs) - 1) // 2,
                                 line.get_label())
            self.assertIn("too far apart to join", ax.get_title())


class Ideal(unittest.TestCase):
    def tearDown(self):
        plt.close("all")

    def test_ideal_speedup_stops_at_the_usable_cpus(self):
        self.assertEqual([ideal_speedup(w, 2) for w in (1, 2, 4, 8)], [1, 2, 2, 2])
        self.assertEqual([ideal_speedup(w, None) for w in (1, 4)], [1, 4])

    def test_the_figure_s_ideal_line_bends_at_the_usable_cpus(self):
        report = load("full.json")
        report.usable_cpus = 2  # workers 1, 2, 4 on 2 CPUs
        fig = fig_speedup(report)[0][1]
        ideal = [line for line in fig.axes[0].get_lines()
                 if line.get_label().startswith("ideal")][0]
        self.assertEqual(list(ideal.get_xdata()), [1, 2, 4])
        self.assertEqual(list(ideal.get_ydata()), [1, 2, 2])
        efficiency = [line for line in fig.axes[1].get_lines()
                      if line.get_label().startswith("ideal")][0]
        self.assertEqual(list(efficiency.get_ydata()), [1.0, 1.0, 0.5])

    def test_karp_flatt_only_with_a_speedup_past_one_on_several_workers(self):
        report = load("full.json")
        runs = report.registry.without_reference(report.select("sum"))
        for run in runs:
            expected = run.workers > 1 and run.center("speedup") > 1
            self.assertEqual(karp_flatt_means_something(run), expected, run.params)
        self.assertTrue(any(karp_flatt_means_something(r) for r in runs))
        self.assertFalse(all(karp_flatt_means_something(r) for r in runs))


class OneWorkerCount(unittest.TestCase):
    """A quick report has one worker count: no panel of points on a one-tick axis."""

    def setUp(self):
        self.report = load("quick.json")

    def tearDown(self):
        plt.close("all")

    def test_speedup_against_size_in_one_row(self):
        fig = fig_speedup(self.report)[0][1]
        visible = [ax for ax in fig.axes if ax.get_visible()]
        self.assertEqual(len(visible), 3)
        self.assertEqual([t.get_text() for t in visible[0].get_xticklabels()],
                         ["16 KiB", "512 KiB", "32 MiB"])
        self.assertIn("at 4 workers, the one worker count", fig._suptitle.get_text()
                      .replace("\n", " "))

    def test_launch_start_and_dispatch_as_bars(self):
        fig = fig_launch(self.report)[0][1]
        for ax in fig.axes[1:]:
            self.assertIn("the one count measured", ax.get_title())
            self.assertGreater(len(ax.patches), 1)

    def test_sleep_spin_as_bars(self):
        fig = fig_sleep_spin(self.report)[0][1]
        for ax in fig.axes:
            self.assertEqual(len(ax.patches), 4)  # thread, fork, openmp, tbb


class Layout(unittest.TestCase):
    def tearDown(self):
        plt.close("all")

    def test_a_long_title_is_wrapped_inside_a_narrow_figure(self):
        fig, _ = new_figure(1, 1, 5, 4)
        finish(fig, "A title much longer than the figure is wide, which would be cut at both "
                    "of its edges", "host (a CPU model, 2 CPUs) · 2026-01-01 00:00",
               "points: median of the repetitions; bars: its 95% confidence interval")
        drawn(fig)
        renderer = fig.canvas.get_renderer()
        box = fig.bbox
        for text in fig.texts:  # the title among them
            extent = text.get_window_extent(renderer)
            self.assertGreaterEqual(extent.x0, box.x0 - 1, text.get_text())
            self.assertLessEqual(extent.x1, box.x1 + 1, text.get_text())
        corners = sorted((t for t in fig.texts if t is not fig._suptitle),
                         key=lambda t: t.get_position()[1])
        low, high = (t.get_window_extent(renderer) for t in corners)
        self.assertLessEqual(low.y1, high.y0 + 1)  # the two corners on lines of their own

    def test_the_same_report_gives_the_same_svg(self):
        from parbench.cli import svg_text
        from parbench.task_figures import fig_gantt
        report = load("full.json")
        texts = []
        for _ in range(2):
            fig = fig_gantt(report)[0][1]
            texts.append(svg_text(fig))
            plt.close(fig)
        self.assertEqual(texts[0], texts[1])
        self.assertIn('id="p0"', texts[0])
        self.assertNotRegex(texts[0], r'id="p[0-9a-f]{10}"')

    def test_every_figure_of_the_fixtures_without_a_warning(self):
        from parbench.cli import SINGLE_FIGURES
        for name in ("full.json", "quick.json", "toy.json", "sum_only.json"):
            report = load(name)
            for function in SINGLE_FIGURES:
                with self.subTest(report=name, figure=function.__name__):
                    with warnings.catch_warnings():
                        warnings.simplefilter("error")
                        try:
                            figures = function(report)
                        except Exception as e:  # Skip: a figure the report has no data for
                            if type(e).__name__ != "Skip":
                                raise
                            continue
                        for item in figures:
                            drawn(item[1])
                            plt.close(item[1])


class Gallery(unittest.TestCase):
    def tearDown(self):
        plt.close("all")

    def test_machines_side_by_side_without_a_warning(self):
        from parbench import gallery
        from parbench.gallery_figures import fig_gallery
        machines = gallery.find_machines([os.path.join(FIXTURES, n) for n in
                                          ("full.json", "quick.json", "sum_only.json")])
        palette.use([m.report for m in machines])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig = drawn(fig_gallery(machines)[0][1])
        titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
        self.assertEqual(len(titles), 6)
        self.assertTrue(titles[0].startswith("fraction of own read bandwidth"))
        bandwidth = fig.axes[0]
        self.assertEqual([t.get_text() for t in bandwidth.get_xticklabels()],
                         [m.name for m in machines])
        # a bar per backend of each machine: 5 (serial too) + 5 + 4 (sum_only has no fork)
        self.assertEqual(len(bandwidth.patches), 14)


if __name__ == "__main__":
    unittest.main()
