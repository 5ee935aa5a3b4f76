"""The plot command: reads every report first (bad input: one line on stderr, exit status 2,
nothing written), then draws each figure, a failed one not stopping the others; writes them as
files (--out), as one self-contained HTML page (--html, page.py), or draws the gallery of the
reference reports of several machines (--gallery, gallery.py).

Exit status: 0 figures written; 1 a figure failed or none could be drawn; 2 bad arguments or a
bad report. (77, no Python with matplotlib, comes from plots/plot and parbench_plot.py.)
"""

import argparse
import io
import os
import re
import sys

import matplotlib

from . import gallery, palette
from .compare_figures import fig_compare_bandwidth, fig_compare_speedup
from .gallery_figures import GALLERY_FIGURES
from .launch_figures import fig_launch
from .page import page
from .report import InputError, label_reports, load_report, plural
from .selection import PROG, Skip, note
from .style import DPI, plt
from .sum_figures import fig_bandwidth, fig_bandwidth_policies, fig_speedup, fig_sum_split
from .task_figures import fig_gantt, fig_makespan, fig_sleep_spin

EXIT_FIGURE_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

SINGLE_FIGURES = [fig_bandwidth, fig_bandwidth_policies, fig_speedup, fig_sum_split,
                  fig_launch, fig_makespan, fig_gantt, fig_sleep_spin]
COMPARE_FIGURES = [fig_compare_bandwidth, fig_compare_speedup]
USAGE = ("usage: plots/plot [--out DIR] [--html PAGE.html] REPORT...; "
         "plots/plot --gallery PAGE.html FOLDER...")

EPILOG = """figures (NAME.png and NAME.svg; skipped, with a note, when a report lacks them):
  bandwidth           sum: bandwidth against array size, best launch/policy per backend
  bandwidth_policies  sum: every launch/policy of each backend
  speedup             sum: speedup, efficiency, Karp-Flatt serial fraction against workers
  sum_split           sum: contiguous blocks versus strided slices (cyclic, static1)
  launch              thread create+join, fork+wait, pool start, dispatch
  makespan            sleep/spin: makespan per backend and policy, bound and prediction
  gantt_sleep, gantt_spin   the seed task set's timeline per policy (and NAME.trace.json,
                      the same timelines for ui.perfetto.dev or chrome://tracing)
  sleep_spin          sleep versus spin as workers grow past the usable CPUs
With several reports each gets its own figures, named after its file (FILE_bandwidth, ...),
and compare_bandwidth and compare_speedup put them side by side. Points are the median of the
repetitions, bars its 95% confidence interval (the range, with fewer than 6 repetitions).

--html PAGE.html writes one self-contained page (no URL, font or file is loaded; it works
offline): each report's findings, its figures, the machine and every result in a table that
sorts by a click on a header. --gallery PAGE.html FOLDER... sets machines side by side: each
FOLDER is a machine's folder of reports (its full.json.gz, full.json, else every *.json), or
a folder of such folders (reports/).

exit status: 0 figures written; 1 a figure failed or none could be drawn; 2 bad arguments
or a bad report (nothing is written); 77 no Python 3 with matplotlib (from plots/plot)"""


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments are bad input like any other: one line, exit status 2."""

    def error(self, message):
        raise InputError(f"{message} ({USAGE})")


def parse_args(argv):
    parser = OneLineParser(
        prog="plots/plot", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Draws parbench reports (reports/SCHEMA.md) as PNG and SVG figures, "
                    "or as one HTML page.", epilog=EPILOG)
    parser.add_argument("--out", metavar="DIR", help="folder for the figures (made if missing)")
    parser.add_argument("--html", metavar="PAGE.html",
                        help="one self-contained HTML page of the reports")
    parser.add_argument("--gallery", metavar="PAGE.html",
                        help="a page that sets the machines of the FOLDERs side by side")
    parser.add_argument("reports", nargs="+", metavar="REPORT",
                        help="parbench JSON report (gzip-compressed or not, complete or not), "
                             "or the journal of an unfinished run (REPORT.partial); with "
                             "--gallery, folders of reports")
    args = parser.parse_args(argv)
    if args.gallery is not None and (args.out is not None or args.html is not None):
        parser.error("--gallery makes a page of its own: not with --out or --html")
    if args.out is None and args.html is None and args.gallery is None:
        parser.error("one of --out, --html or --gallery is required")
    return args


def check_page_path(path):
    """The page is written beside its name, to a temporary file first: its folder must be
    there and writable, and the name not a folder."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InputError(f"cannot write the page {path}: it is a directory")
    if not os.path.isdir(folder):
        raise InputError(f"cannot write the page {path}: no folder {folder}")
    if not os.access(folder, os.W_OK):
        raise InputError(f"cannot write the page {path}: cannot write into {folder}")


def prepare_out(out_dir):
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot make the output folder {out_dir}: {e.strerror or e}") from None
    if not os.access(out_dir, os.W_OK):
        raise InputError(f"cannot write into the output folder {out_dir}")


def svg_text(fig, text_as="path"):
    """The figure as SVG text, without a date (the same report gives the same file). Text as
    paths (the SVG files: they look the same everywhere), or as text (the page: a tenth of the
    size, searchable, in the reader's DejaVu Sans or Verdana, whose letters are as wide)."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": text_as}):
        fig.savefig(buffer, format="svg", dpi=DPI, metadata={"Date": None})
    return stable_ids(buffer.getvalue())


def stable_ids(svg):
    """matplotlib names clip paths and markers after a hash of what they are, which for some
    clip paths includes where the object lay in memory: each is renamed after its first use
    (p0, p1, ..., m0, ...), so that the same report gives the same file."""
    names = {}

    def renamed(match):
        old = match.group(0)
        if old not in names:
            names[old] = f"{old[0]}{sum(1 for n in names if n[0] == old[0])}"
        return names[old]

    return re.sub(r"(?<=[\"#])[pm][0-9a-f]{10}(?=[\")])", renamed, svg)


def save(fig, out_dir, name, svg):
    """PNG and SVG, each written to a temporary name first and then renamed, so that a figure
    that fails half-way leaves no half-written file under its name."""
    replace_file(os.path.join(out_dir, f"{name}.png"),
                 lambda temporary: fig.savefig(temporary, format="png", dpi=DPI))
    write_text(os.path.join(out_dir, f"{name}.svg"), svg)


def figure_name(function):
    return function.__name__[len("fig_"):]


def replace_file(path, write):
    """write(a temporary name), then that file renamed to path; whatever fails, no temporary
    file is left."""
    temporary = path + ".tmp"
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_text(path, text):
    """A file written to a temporary name first, then renamed."""
    def write(temporary):
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(text)

    replace_file(path, write)


def draw(function, data, prefix, out_dir, for_page):
    """Draws one figure function (of a report, or of the list of reports): [(name, SVG text
    for the page or None, extras)], each written to out_dir where there is one, or raises
    Skip. A figure may come with files of its own (a Gantt chart's trace), written beside it
    as NAME.SUFFIX."""
    drawn = []
    for name, fig, *extras in function(data):
        extras = extras[0] if extras else {}
        try:
            if out_dir is not None:
                save(fig, out_dir, prefix + name, svg_text(fig))
            svg = svg_text(fig, "none") if for_page else None
        finally:
            plt.close(fig)
        if out_dir is not None:
            for suffix, text in extras.items():
                write_text(os.path.join(out_dir, f"{prefix}{name}.{suffix}"), text)
        drawn.append((name, svg, extras))
    return drawn


def jobs_for(reports):
    """(figure function, its report or list of reports, file prefix, what for notes)."""
    jobs = []
    several = len(reports) > 1
    for report in reports:
        prefix = f"{report.tag}_" if several else ""
        jobs += [(function, report, prefix, report.path) for function in SINGLE_FIGURES]
    if several:
        jobs += [(function, reports, "", "the reports") for function in COMPARE_FIGURES]
    return jobs


def draw_all(jobs, out_dir, for_page=False):
    """The names drawn, the figures by what they were drawn of ({id(report or list of
    reports): [(name, svg, extras)]}) and how many failed; a figure that fails must not stop
    the others."""
    written, figures, failed = [], {}, 0
    for function, data, prefix, where in jobs:
        try:
            drawn = draw(function, data, prefix, out_dir, for_page)
            written += [prefix + name for name, _, _ in drawn]
            figures.setdefault(id(data), []).extend(drawn)
        except Skip as why:
            note(f"skipped {prefix}{figure_name(function)}: {where}: {why}")
        except Exception as e:
            if os.environ.get("PARBENCH_PLOT_DEBUG"):
                raise
            failed += 1
            note(f"could not draw {prefix}{figure_name(function)} from {where}: "
                 f"{type(e).__name__}: {e} (PARBENCH_PLOT_DEBUG=1 shows where)")
            plt.close("all")
    return written, figures, failed


def main(argv=None):
    try:
        args = parse_args(argv)
        if args.gallery is not None:
            machines = gallery.find_machines(args.reports)
            reports = [m.report for m in machines]
            check_page_path(args.gallery)
        else:
            reports = [load_report(path) for path in args.reports]
            label_reports(reports)
            if args.html is not None:
                check_page_path(args.html)
            if args.out is not None:
                prepare_out(args.out)
    except InputError as e:
        note(str(e))
        return EXIT_BAD_INPUT
    for report in reports:  # only now: bad input gets its one line and nothing else
        for line in report.notes:
            note(line)
    palette.use(reports)
    if args.gallery is not None:
        return write_gallery(machines, args.gallery)
    jobs = jobs_for(reports)
    written, figures, failed = draw_all(jobs, args.out, for_page=args.html is not None)
    if not written and args.html is None:
        note("no figure could be drawn from " + ", ".join(r.path for r in reports))
        return EXIT_FIGURE_FAILED
    if args.out is not None and written:
        print(f"{PROG}: wrote {len(written)} figures (PNG and SVG) to {args.out}: "
              + ", ".join(written))
    if args.html is not None:
        write_text(args.html, page(reports, figures, figures.get(id(reports), [])))
        print(f"{PROG}: wrote the page {args.html} "
              f"({plural(len(reports), 'report', 'reports')}, {len(written)} figures)")
    return EXIT_FIGURE_FAILED if failed or not written else 0


def write_gallery(machines, path):
    """The gallery page: its figures, then the page; exit status as for figures."""
    written, figures, failed = draw_all(
        [(function, machines, "", "the machines") for function in GALLERY_FIGURES], None,
        for_page=True)
    write_text(path, gallery.gallery_page(machines, figures.get(id(machines), [])))
    print(f"{PROG}: wrote the gallery {path} ({len(machines)} machines: "
          + ", ".join(m.name for m in machines) + f"; {len(written)} figures)")
    return EXIT_FIGURE_FAILED if failed or not written else 0


def run():
    """main() as a command: its exit status, 130 on ^C."""
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
