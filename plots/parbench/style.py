"""What every figure shares on the page: matplotlib set up to draw files (Agg), numbers and
axes, points with their interval, legends, the title and the corners.
"""

import math
import textwrap

import matplotlib

matplotlib.use("Agg")  # files only: no display is needed, nor wanted on a build machine
# The same SVG for the same report: ids of clip paths and markers from a fixed salt, not a
# random one (committed figures and pages change only where the report does).
matplotlib.rcParams["svg.hashsalt"] = "parbench"
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib import ticker  # noqa: E402
from matplotlib.transforms import ScaledTranslation, blended_transform_factory  # noqa: E402

from .report import bytes_text  # noqa: E402

DPI = 130
# The strip along the figure's bottom kept for its corners (the machine; what the bars mean),
# in inches per line of text.
CORNER_LINE = 0.17
TITLE_SIZE = 13
CORNER_SIZE = 8
# Neighbouring points further apart than this factor on a log x axis (array sizes) are not
# joined by a line: a line across decades would claim values nobody measured.
MAX_JOIN = 16


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
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: bytes_text(v)))
    ax.xaxis.set_minor_locator(ticker.NullLocator())
    ax.set_xlim(2.0 ** lo / 1.3, 2.0 ** hi * 1.3)


def log_axis(ax, axis="y"):
    """A log axis labelled with plain numbers (1000, 0.01) rather than powers of ten."""
    set_scale, target = (ax.set_yscale, ax.yaxis) if axis == "y" else (ax.set_xscale, ax.xaxis)
    set_scale("log")
    target.set_major_formatter(ticker.FuncFormatter(fmt_plain))


def symlog_axis(ax):
    """A y axis linear within ±1 and log beyond, for values of either sign."""
    ax.set_yscale("symlog", linthresh=1)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))


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


def value_axis(ax, values, log_above=20.0, axis="y"):
    """Log scale when the positive values span more than `log_above`, plain numbers either way."""
    positive = [v for v in values if v > 0]
    if positive and max(positive) / min(positive) > log_above:
        log_axis(ax, axis)
        (ax.yaxis if axis == "y" else ax.xaxis).set_minor_formatter(ticker.NullFormatter())
        return True
    return False


def interval_errors(estimates, log=False):
    """[below, above] for matplotlib's yerr/xerr: each estimate's interval around its centre;
    None where none has an interval (else every point would get the caps of an empty bar). On a
    log axis a bar that would reach zero or below is cut at a tenth of the centre, which the
    axis can show."""
    if not any(e.has_interval for e in estimates):
        return None
    below = [min(e.below(), 0.9 * e.center) if log else e.below() for e in estimates]
    return [below, [e.above() for e in estimates]]


def joined(xs, max_gap):
    """For each x after the first, whether a line joins it to the one before: not where the
    step is more than `max_gap` times (a log axis), or where there is no `max_gap`."""
    return [max_gap is None or b <= a * max_gap for a, b in zip(xs, xs[1:])]


def plot_series(ax, points, log_y=False, max_gap=None, **style):
    """points: [(x, Estimate)], drawn as the centre with its interval as a bar; drops what a
    log axis cannot show. With `max_gap`, neighbours further apart than that factor are left
    unjoined (points, not a line across decades); the legend keeps the line's style."""
    points = sorted(((x, e) for x, e in points if e is not None and x is not None),
                    key=lambda p: p[0])
    if log_y:
        points = [(x, e) for x, e in points if e.center > 0]
    if not points:
        return None
    estimates = [e for _, e in points]
    xs, ys = [x for x, _ in points], [e.center for e in estimates]
    options = {"capsize": 3, "markersize": 5, "linewidth": 1.5, "elinewidth": 1}
    options.update(style)
    drawn = ax.errorbar(xs, ys, yerr=interval_errors(estimates, log_y), **options)
    links = joined(xs, max_gap)
    if not all(links):  # a NaN between two points breaks the line there, and nothing else
        broken_x, broken_y = [xs[0]], [ys[0]]
        for x, y, link in zip(xs[1:], ys[1:], links):
            if not link:
                broken_x.append(math.nan)
                broken_y.append(math.nan)
            broken_x.append(x)
            broken_y.append(y)
        drawn.lines[0].set_data(broken_x, broken_y)
    return drawn


def new_figure(nrows, ncols, width, height, **kw):
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False,
                             layout="constrained", **kw)
    keep_corners(fig, 1)
    return fig, axes


def keep_corners(fig, lines):
    """Leaves `lines` lines of text free along the bottom for the corners."""
    strip = lines * CORNER_LINE / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, strip, 1, 1 - strip))


def text_width(text, size):
    """Roughly how wide a line of text is, in inches (DejaVu Sans averages 0.6 em)."""
    return len(text) * size * 0.6 / 72


def wrapped(text, width_inches, size):
    """The text in lines that fit the width."""
    columns = max(20, int(width_inches * 72 / (size * 0.6)))
    return "\n".join(textwrap.wrap(text, columns)) if len(text) > columns else text


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


def finish(fig, title, stamp, bars=None):
    """The title, in as many lines as the figure's width needs; the machine in the bottom right
    corner; in the bottom left, where the figure draws intervals, what its points and bars are
    (stats.interval_note), on a line of its own where the two would meet."""
    tidy_log_axes(fig)
    width = fig.get_figwidth() * 0.97
    fig.suptitle(wrapped(title, width, TITLE_SIZE), fontsize=TITLE_SIZE)
    fig.text(0.995, 0.004, wrapped(stamp, width, CORNER_SIZE), ha="right", va="bottom",
             fontsize=CORNER_SIZE, color="0.35")
    lines = stamp_lines = wrapped(stamp, width, CORNER_SIZE).count("\n") + 1
    if bars:
        apart = text_width(stamp, CORNER_SIZE) + text_width(bars, CORNER_SIZE) + 0.3 < width
        bars = wrapped(bars, width, CORNER_SIZE)
        bottom = 0.004 if apart else (0.004 + stamp_lines * CORNER_LINE / fig.get_figheight())
        fig.text(0.005, bottom, bars, ha="left", va="bottom", fontsize=CORNER_SIZE,
                 color="0.35")
        if not apart:
            lines += bars.count("\n") + 1
    keep_corners(fig, lines)
    return fig


def mark_caches(ax, caches):
    """Dotted vertical lines at the sizes of the data caches (a report's `caches`), those within
    the x axis's limits (a label outside them would push the layout's margins out until the
    axes collapse)."""
    seen = set()
    low, high = sorted(ax.get_xlim())
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for cache in caches:
        size, level = cache.bytes, cache.level
        if not low <= size <= high or (level, size) in seen:
            continue
        seen.add((level, size))
        name = f"L{level}{'d' if cache.type == 'Data' else ''}"
        ax.axvline(size, color="0.45", linestyle=":", linewidth=1)
        ax.text(size, 0.985, f"{name} {bytes_text(size)}", transform=trans, rotation=90,
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


def hide_unused(axes, used):
    """Hides the panels of a grid past the first `used`."""
    for ax in list(axes.flat)[used:]:
        ax.set_visible(False)
