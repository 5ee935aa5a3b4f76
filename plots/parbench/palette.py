"""How backends, launches and reports look: colours, line styles and markers, the same in every
figure of one command, whichever report a backend comes from. Standard library only, so that
the result page can colour backends as the figures do without matplotlib.
"""

from .report import KNOWN_COLORS

# Backends beyond the known five take these in turn, in the order the registries list them.
SPARE_COLORS = ["#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
UNKNOWN_COLOR = "0.5"  # matplotlib's mid grey: a backend no report listed or ran
# Lines of one backend (its launches and policies), or of one report next to another.
LINE_STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ("-", "v"), ("--", "P"),
               (":", "X"), ("-.", "*")]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
# The policies of one backend: its colour mixed towards white (> 0) or black (< 0).
SHADES = [0, -0.35, 0.4, -0.6, 0.6, -0.15, 0.2]
LAUNCH_STYLES = {"spawn": "--"}  # spawn per job dashed; pools, teams, arenas solid


def ordered(keys, order):
    """The keys in the given order, those it lacks after, by name."""
    return sorted(keys, key=lambda k: (order.index(k) if k in order else len(order), str(k)))


class BackendLook:
    """The backends of the reports of one command: in the order the reports' registries list
    them (then any that a report ran without listing it, by name); the known five in their fixed
    colours, every other backend in SPARE_COLORS in turn, by that order, so that its colour does
    not depend on the figure."""

    def __init__(self, reports=()):
        order = []
        for report in reports:
            order += [b for b in report.registry.order if b not in order]
        order += sorted({r.backend for report in reports for r in report.runs} - set(order))
        others = [b for b in order if b not in KNOWN_COLORS]
        self.order = order
        self.colors = dict(KNOWN_COLORS)
        self.colors.update((b, SPARE_COLORS[i % len(SPARE_COLORS)]) for i, b in enumerate(others))

    def rank(self, backend):
        return self.order.index(backend) if backend in self.order else len(self.order)

    def color(self, backend):
        return self.colors.get(backend, UNKNOWN_COLOR)


# The look of the command's reports; the figures read it through the functions below, so that
# they need not pass it along. use() sets it once every report is read.
_look = BackendLook()


def use(reports):
    global _look
    _look = BackendLook(reports)


def backends_of(runs):
    return ordered({r.backend for r in runs}, _look.order)


def in_backend_order(names):
    """Backend names in the order of the command's reports."""
    return ordered(set(names), _look.order)


def backend_rank(run):
    """For sorting runs by backend."""
    return _look.rank(run.backend)


def backend_color(backend):
    return _look.color(backend)


def report_styles(reports):
    """(line style, marker) of each report, by id, in the order they were given."""
    return {id(r): LINE_STYLES[i % len(LINE_STYLES)] for i, r in enumerate(reports)}
