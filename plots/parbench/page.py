"""The result page: one self-contained HTML file of one or more reports. For each report its
findings first (reports/SCHEMA.md: findings), then its figures inline as SVG, the machine's
context and topology, and a table of every result (the median entries) that sorts by a click
on a header. Nothing is loaded from anywhere: no URL, no font, no script but the few lines
inline that sort the table; the file works offline. Standard library only: the figures come in
as SVG text, drawn by the caller.
"""

import base64
import html
import json
import math
import re

from .report import bytes_text, cpu_text, is_number, printable
from .stats import CONFIDENCE, fewest_repetitions

GIGA = 1e-9

# What each figure shows, under it (plots/README.md has the same table).
CAPTIONS = {
    "bandwidth": "Sum: bandwidth against array size, the best launch/policy of each backend, "
                 "one panel per worker count; the measured read bandwidth as a ceiling, the "
                 "caches marked.",
    "bandwidth_policies": "Sum: every launch/policy of each backend at one worker count.",
    "speedup": "Sum: speedup over the reference, efficiency and Karp–Flatt serial fraction "
               "against workers; the ideal stops rising at the usable CPUs.",
    "sum_split": "Sum: contiguous blocks versus strided slices (data[i::P]), and the time "
                 "ratio.",
    "launch": "What starting workers and handing them a job costs: thread create+join, "
              "fork+wait, a pool's start and one dispatch.",
    "makespan": "Uneven tasks: makespan per backend and policy, with the schedule model's "
                "prediction and the lower bound.",
    "gantt_sleep": "One recorded job of the sleeping seed tasks per policy: a row per worker, "
                   "a bar per task.",
    "gantt_spin": "One recorded job of the spinning seed tasks per policy: a row per worker, "
                  "a bar per task.",
    "sleep_spin": "Sleeping versus spinning tasks as the workers grow past the usable CPUs.",
    "compare_bandwidth": "Sum bandwidth, report against report, one panel per backend.",
    "compare_speedup": "Sum speedup at each report's largest array, report against report.",
    "gallery": "Each machine against itself: a group of bars per machine, a bar per backend; "
               "dashed: the ideal, or 1 (as the model says, all of the read bandwidth).",
}

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
 margin:0 auto;max-width:1500px;padding:0 1.2em 3em;color:#1d1d1f;background:#fff}
h1{font-size:1.55em;margin:.8em 0 .2em}h2{font-size:1.3em;margin:1.6em 0 .5em;
 border-bottom:1px solid #ccc}h3{font-size:1.05em;margin:.2em 0}
.muted,.note{color:#666}.note{font-size:.92em}
nav a{margin-right:1em}
.finding{border-left:4px solid #2c7be5;padding:.3em .9em;margin:.7em 0;background:#f6f9fe}
.finding.unsupported{border-color:#bbb;background:#f7f7f7;color:#666}
.finding p{margin:.25em 0}.evidence{font-size:.85em}.evidence a,.evidence span{
 margin-right:.8em;white-space:nowrap}
.finding details{font-size:.85em}.finding dl{display:grid;grid-template-columns:auto 1fr;
 gap:0 1em;margin:.3em 0}.finding dd{margin:0}
figure{margin:1.2em 0}figcaption{font-size:.9em;color:#444}
figure svg{max-width:100%;height:auto}
svg.figure *{stroke-linejoin:round;stroke-linecap:butt}
svg.figure text{font-family:FIGURE_FONTS}
table{border-collapse:collapse;font-size:.85em}
td,th{padding:.15em .55em;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}
table.context th{font-weight:600;white-space:nowrap}
.scroll{overflow-x:auto}
table.results th{cursor:pointer;position:sticky;top:0;background:#f0f0f0;white-space:nowrap}
table.results th[data-order=up]::after{content:" ▲"}
table.results th[data-order=down]::after{content:" ▼"}
table.results td[data-v]{text-align:right;font-variant-numeric:tabular-nums;
 white-space:nowrap}
table.results td:first-child{font-family:ui-monospace,"DejaVu Sans Mono",monospace;
 font-size:.92em}
tr:target{background:#ffe9a8}
pre{font-size:.8em;overflow-x:auto;background:#f7f7f7;padding:.6em}
"""

# Sorting the results table by a click on a header: numbers by their value (data-v), text as
# text, empty cells last; a second click reverses.
SCRIPT = """
document.querySelectorAll("table.results th").forEach(function (th) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0], i = th.cellIndex;
    var up = th.dataset.order !== "up", sign = up ? 1 : -1;
    th.closest("tr").querySelectorAll("th").forEach(function (h) { delete h.dataset.order; });
    th.dataset.order = up ? "up" : "down";
    function key(row) { var c = row.cells[i]; return c.dataset.v !== undefined ? +c.dataset.v
                                                   : c.textContent.trim() || null; }
    var rows = Array.from(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b);
      if (x === null || y === null) return (x === null) - (y === null);
      return sign * (typeof x === "number" && typeof y === "number" ? x - y
                     : String(x).localeCompare(String(y), undefined, {numeric: true}));
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
"""


def shown(name):
    """A run name as the console shows it: without Google Benchmark's timing suffix, which
    every parbench benchmark has."""
    suffix = "/process_time/real_time"
    return name[:-len(suffix)] if name.endswith(suffix) else name


def esc(value):
    return html.escape(str(value), quote=True)


# ----------------------------------------------------------------------------------------------
# Numbers


def sig(value, digits=3):
    """A number with `digits` significant digits, plain (no exponent) where that reads well."""
    if not is_number(value):
        return ""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e6:
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
        return f"{value:.{decimals}f}"
    return f"{value:.{digits}g}"


def time_text(seconds):
    if not is_number(seconds):
        return ""
    for factor, unit in ((1, "s"), (1e3, "ms"), (1e6, "µs"), (1e9, "ns")):
        if abs(seconds) * factor >= 1 or unit == "ns":
            return f"{sig(seconds * factor)} {unit}"
    return ""


def figure_value(name, value):
    """A finding's number as its name suggests: seconds, bytes, bytes/s or a plain number."""
    if not is_number(value):
        return esc(json.dumps(value)[:200])
    lowered = name.lower()
    if lowered == "bytes" or lowered.endswith("_bytes"):
        return esc(bytes_text(value))
    if "bandwidth" in lowered:
        return esc(f"{value * GIGA:.3g} GB/s")
    if any(word in lowered for word in ("dispatch", "floor", "start", "model", "lower_bound",
                                        "seconds")) or (0 < abs(value) < 1 and "/" in name):
        return esc(time_text(value))
    return esc(sig(value, 4) if not float(value).is_integer() else f"{int(value)}")


# ----------------------------------------------------------------------------------------------
# Figures


# matplotlib writes each text's font as its size and the whole list of its fallbacks; the page
# sets the family once (FIGURE_FONTS, in CSS) and keeps the size: DejaVu Sans, which matplotlib
# measured the text with, else Vera or Verdana, whose letters are as wide.
FONT_LIST = re.compile(r"font:\s*([\d.]+px)\s+'DejaVu Sans', 'Bitstream Vera Sans', "
                       r"[^;\"]*?sans-serif")
FIGURE_FONTS = "'DejaVu Sans','Bitstream Vera Sans',Verdana,sans-serif"
NUMBER = re.compile(r"-?\d+\.\d{3,}")
GEOMETRY = re.compile(r'\b(d|x|y|x1|x2|y1|y2|width|height|transform|points)="([^"]*)"')


def rounded_numbers(value):
    """Coordinates to a hundredth of a point: the page draws at most a few pixels per point."""
    return NUMBER.sub(lambda m: f"{float(m.group()):.2f}".rstrip("0").rstrip("."), value)


def short_geometry(match):
    name, value = match.group(1), rounded_numbers(match.group(2))
    if name == "d":  # "M 1 2 L 3 4 z" as "M1 2L3 4z"
        value = re.sub(r"\s*([MLCQZz])\s*", r"\1", value.strip())
    return f'{name}="{value}"'


def inline_svg(text, prefix, label):
    """matplotlib's SVG file made fit for a place inside HTML: no XML prologue, DOCTYPE,
    namespace declarations or metadata (they name URLs, which an offline page does without:
    HTML's parser knows SVG and xlink:href), no style sheet of its own (the page has the rule),
    the ids that something refers to prefixed (the figures of one page must not share ids) and
    the others dropped; coordinates rounded, the font list and white space shortened."""
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r'<style type="text/css">[^<]*</style>', "", text)
    text = re.sub(r">\s+<", "><", text)
    text = re.sub(r"<defs></defs>", "", text)
    head_end = text.index(">")
    head = re.sub(r'\s+(xmlns(:\w+)?|version)="[^"]*"', "", text[:head_end])
    head += f' class="figure" role="img" aria-label="{esc(label)}"'
    text = head + text[head_end:]
    used = re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', text)
    short = {}  # each id something refers to: the prefix and a number, in order of use
    for name in (a or b for a, b in used):
        short.setdefault(name, f"{prefix}{len(short)}")
    text = re.sub(r'\sid="([^"]+)"',
                  lambda m: f' id="{short[m.group(1)]}"' if m.group(1) in short else "", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{short[m.group(1)]}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{short[m.group(1)]})", text)
    text = re.sub(r'\stransform="rotate\(-?0 [^)]*\)"', "", text)
    text = FONT_LIST.sub(r"font-size:\1", text)
    text = re.sub(r"\s*\n\s*", " ", text)
    text = GEOMETRY.sub(short_geometry, text)
    text = re.sub(r'style="([^"]*)"', lambda m: 'style="%s"' % re.sub(
        r"([:;])\s+", r"\1", m.group(1)), text)
    previous = None
    while previous != text:  # a group of no attributes around one element is that element
        previous = text
        text = re.sub(r"<g>(<(path|use|text)\b[^<>]*(/>|>[^<]*</\2>))</g>", r"\1", text)
    return text.strip()


def download_link(filename, text, what):
    """A link that saves `text` as `filename`, the file inside the link (a data: URL)."""
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (f'<a download="{esc(filename)}" href="data:application/json;base64,{data}">'
            f"{esc(what)}</a>")


def figure_html(name, svg, prefix, extras=None, title=None):
    caption = CAPTIONS.get(name.split("_", 1)[1] if name not in CAPTIONS and "_" in name
                           else name, "")
    links = ""
    for suffix, text in (extras or {}).items():
        if suffix == "trace.json":
            links += (" " + download_link(f"{name}.trace.json", text, "Timelines as a trace")
                      + " (Trace Event Format: open it in ui.perfetto.dev or chrome://tracing)")
    return (f'<figure id="{esc(prefix)}fig-{esc(name)}">{inline_svg(svg, prefix, title or name)}'
            f"<figcaption><b>{esc(name)}</b>: {esc(caption)}{links}</figcaption></figure>")


# ----------------------------------------------------------------------------------------------
# Findings


def anchors_of(report, index):
    """{run_name: the id of its row in the results table}."""
    return {run.run_name: f"r{index}-{number}" for number, run in enumerate(report.runs)}


def findings_html(report, anchors, prefix=""):
    if report.findings is None:
        return ('<p class="note">This report predates findings: it was made before parbench '
                "answered its questions from its own numbers (the figures and the table below "
                "still hold every result).</p>")
    if not report.findings:
        return '<p class="note">The report has no findings.</p>'
    parts = []
    for finding in report.findings:
        supported = finding.get("supported") is not False
        title = finding.get("title") or finding.get("question") or "finding"
        parts.append(f'<section class="finding{"" if supported else " unsupported"}" '
                     f'id="{esc(prefix)}q-{esc(finding.get("question", ""))}">')
        parts.append(f"<h3>{esc(title)}{'' if supported else ' (not answered by this run)'}"
                     "</h3>")
        parts.append(f"<p>{esc(finding.get('answer', ''))}</p>")
        evidence = finding.get("evidence") or []
        if evidence:
            links = []
            for name in evidence:
                if name in anchors:
                    links.append(f'<a href="#{esc(anchors[name])}">{esc(shown(name))}</a>')
                else:
                    links.append(f'<span class="muted" title="no such entry in this report">'
                                 f"{esc(shown(name))} (not in the table)</span>")
            parts.append(f'<p class="evidence">Evidence: {" ".join(links)}</p>')
        figures = finding.get("figures") or {}
        if figures:
            rows = "".join(f"<dt>{esc(k)}</dt><dd>{figure_value(k, v)}</dd>"
                           for k, v in figures.items())
            parts.append(f"<details><summary>numbers</summary><dl>{rows}</dl></details>")
        parts.append("</section>")
    return "\n".join(parts)


# ----------------------------------------------------------------------------------------------
# The machine


def gbps(value):
    return f"{value * GIGA:.1f} GB/s" if is_number(value) else ""


def cache_text(caches):
    parts = []
    for cache in caches:
        suffix = "d" if cache.type == "Data" else ""
        shared = f" (CPUs {cache.shared_cpu_list})" if cache.shared_cpu_list else ""
        parts.append(f"L{cache.level}{suffix} {bytes_text(cache.bytes)}{shared}")
    return ", ".join(parts)


def settings_text(settings):
    """An object's scalar keys as "key value, ..."."""
    if not isinstance(settings, dict):
        return "" if settings is None else str(settings)
    return ", ".join(f"{k} {v if not isinstance(v, float) else sig(v, 4)}"
                     for k, v in settings.items() if not isinstance(v, (dict, list)))


def calibration_text(c):
    if not isinstance(c, dict):
        return ""
    words = []
    if is_number(c.get("before")):
        words.append(f"before {gbps(c['before'])}")
    if is_number(c.get("after")):
        words.append(f"after {gbps(c['after'])}")
    if is_number(c.get("drift")):
        words.append(f"drift {c['drift'] * 100:+.1f}%")
    if is_number(c.get("bytes")):
        words.append(f"on {bytes_text(c['bytes'])}")
    for key in ("threads", "repetitions"):
        if c.get(key) is not None:
            words.append(f"{key} {c[key]}")
    if c.get("method"):
        words.append(str(c["method"]))
    return "; ".join(words)


def topology_text(t):
    words = [str(t["summary"])] if t.get("summary") else []
    nodes = t.get("numa_nodes")
    if isinstance(nodes, list) and nodes:
        words.append("NUMA nodes: " + ", ".join(
            f"{n.get('index')}: CPUs {n.get('pus')}, {bytes_text(n.get('memory_bytes'))}"
            for n in nodes if isinstance(n, dict)))
    for key in ("packages", "cores", "pus", "pus_per_core", "allowed_pus", "source"):
        if t.get(key) is not None:
            words.append(f"{key} {t[key]}")
    return "; ".join(words)


# A runtime's fact longer than this (a sentence, a long list) is left to the whole context, which
# the page folds below the table: the runtime's row is one short line.
LONGEST_FACT = 80


def short_facts(value):
    """An object's scalars and lists of scalars as "key value, ...", those longer than
    LONGEST_FACT characters and the empty ones left out."""
    words = []
    for key, fact in value.items():
        if isinstance(fact, list) and not any(isinstance(x, (dict, list)) for x in fact):
            fact = " ".join(str(x) for x in fact)
        elif isinstance(fact, (dict, list)) or fact is None:
            continue
        text = sig(fact, 4) if isinstance(fact, float) else str(fact)
        if text and len(text) <= LONGEST_FACT:
            words.append(f"{key} {text}")
    return ", ".join(words)


def runtime_text(value):
    """One runtime (Report.runtimes) on one line: its own facts, then those of each object in it
    (a world of ranks' transport: its hosts, its components), as "library L, standard 3.1,
    world_size 4; transport: hosts 2, ..."."""
    if not isinstance(value, dict):
        return str(value)
    parts = [short_facts(value)] + [f"{key}: {short_facts(inner)}" for key, inner in value.items()
                                    if isinstance(inner, dict) and short_facts(inner)]
    return "; ".join(part for part in parts if part)


def usable_text(report):
    c = report.context
    usable = [f"{report.usable_cpus}" if report.usable_cpus else ""]
    for key, what in (("affinity", "affinity"), ("cgroup_cpu_limit", "cgroup limit"),
                      ("online_cpus", "online")):
        if c.get(key) is not None:
            usable.append(f"{what} {c[key]}")
    return ", ".join(u for u in usable if u)


def bandwidth_text(report):
    return ", ".join(f"{gbps(value)} ({what})" for value, what in (
        (report.read_bandwidth, "all usable CPUs"),
        (report.read_bandwidth_one_thread, "one thread")) if value)


def build_text(c):
    flags = c.get("cxx_flags")
    return ", ".join(str(x) for x in (
        c.get("compiler"), flags.strip() if isinstance(flags, str) else None, c.get("build_type"),
        c.get("sanitize") and f"sanitize {c['sanitize']}") if x)


def run_text(report):
    c = report.context
    state = "complete"
    if report.unfinished:
        state = ("unfinished" + (f" (interrupted: {report.interrupted})" if report.interrupted
                                 else "")
                 + (f", {len(report.not_run)} benchmarks not run" if report.not_run is not None
                    else ""))
    return ", ".join(str(x) for x in (
        c.get("suite") and f"suite {c['suite']}", c.get("date"), state,
        isinstance(c.get("sessions"), list) and f"{len(c['sessions'])} sessions") if x)


def context_rows(report):
    """(what, text) of the machine and the run, as a person looks for them; a row for each
    runtime the report records, whichever backend it is under."""
    c = report.context
    rows = [
        ("CPU", cpu_text(c) or None),
        ("topology", topology_text(report.topology)),
        ("usable CPUs", usable_text(report)),
        ("SMT", c.get("smt")),
        ("caches", cache_text(report.caches)),
        ("memory", bytes_text(c.get("memory_bytes"))),
        ("read bandwidth", bandwidth_text(report)),
        ("calibration", calibration_text(c.get("calibration"))),
        ("measurement", settings_text(c.get("measurement"))),
        ("placement", ", ".join(f"{k} {c[k]}" for k in ("pin", "data_mapping", "first_touch")
                                if c.get(k) is not None)),
        ("governor, THP", ", ".join(str(c[k]) for k in ("governor", "transparent_hugepages")
                                    if c.get(k) is not None)),
        ("kernel", c.get("kernel")),
    ]
    rows += [(f"{backend} runtime", runtime_text(runtime))
             for backend, runtime in report.runtimes.items()]
    rows += [
        ("build", build_text(c)),
        ("parbench", " ".join(str(x) for x in (c.get("parbench_version"),
                                               c.get("git_commit") and f"({c['git_commit']})")
                              if x)),
        ("environment", settings_text(c.get("env")) or "none set"),
        ("run", run_text(report)),
        ("command", c.get("command_line")),
        ("host", c.get("host_name")),
    ]
    return [(what, text) for what, text in rows if text not in (None, "", [])]


def context_html(report):
    rows = "".join(f"<tr><th>{esc(what)}</th><td>{esc(text)}</td></tr>"
                   for what, text in context_rows(report))
    everything = json.dumps(report.context, indent=1, sort_keys=True, ensure_ascii=False,
                            default=str)
    return (f'<table class="context">{rows}</table>'
            f"<details><summary>the whole context, as the report has it</summary>"
            f"<pre>{esc(everything)}</pre></details>")


# ----------------------------------------------------------------------------------------------
# Every result


COLUMNS = ["benchmark", "kernel", "backend", "launch", "policy", "workers", "size or tasks",
           "median time", "95% interval", "reps", "GB/s", "of read bw", "speedup",
           "efficiency", "makespan / model"]


def cell(text, value=None):
    """A cell of the results table, sorted by `value` where it has one (and then right
    aligned); HTML needs no </td>, and a table of a thousand rows is smaller without."""
    return f'<td data-v="{value:.6g}">{esc(text)}' if is_number(value) else f"<td>{esc(text)}"


def interval_cell(run, found):
    """The 95% interval of the median time: parbench's own (measurement.median_interval) or the
    one found from the repetitions (the same, stats.py); the range of fewer than 6."""
    if found is None or not found.has_interval or found.center <= 0:
        return cell("")
    half = max(found.center - found.low, found.high - found.center) / found.center
    count = run.repetition_count() or 0
    coverage = run.interval_coverage()
    few = (coverage < CONFIDENCE if coverage is not None
           else 0 < count < fewest_repetitions())
    text = f"{time_text(found.low)} – {time_text(found.high)} (±{half * 100:.3g}%)"
    return cell(text + (" range" if few else ""), half)


def size_text(run):
    if is_number(run.bytes) and run.kernel == "sum":
        return bytes_text(run.bytes)
    if run.tasks is not None:
        unit = f", unit {time_text(run.unit)}" if is_number(run.unit) else ""
        return f"{run.tasks}{unit}"
    if is_number(run.bytes):
        return f"{bytes_text(run.bytes)} {run.mapping or ''}".strip()
    return ""


def result_row(run, anchor):
    time = run.stat("real_time")
    count = run.repetition_count()
    reps = f"{count}" if count else ""
    if run.undecided():
        reps += " ~"
    rate = run.stat("bytes_per_second")
    makespan, predicted = run.center("makespan"), run.center("predicted")
    versus = makespan / predicted if makespan and predicted else None
    cells = [
        cell(shown(run.run_name)), cell(run.kernel or ""), cell(run.backend or ""),
        cell(run.launch or ""), cell(run.policy or ""),
        cell(run.workers if run.workers is not None else "", run.workers),
        cell(size_text(run), run.bytes if is_number(run.bytes) else None),
        cell(time_text(time.center) if time else "", time.center if time else None),
        interval_cell(run, time),
        cell(reps, count),
        cell(f"{rate.center * GIGA:.3g}" if rate else "", rate.center if rate else None),
        cell(sig(run.center("bandwidth_fraction")), run.center("bandwidth_fraction")),
        cell(sig(run.center("speedup")), run.center("speedup")),
        cell(sig(run.center("efficiency")), run.center("efficiency")),
        cell(sig(versus), versus),
    ]
    return f'<tr id="{esc(anchor)}">{"".join(cells)}'


def results_html(report, anchors):
    head = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS)
    rows = "\n".join(result_row(run, anchors[run.run_name]) for run in report.runs)
    errors = ""
    if report.errors:
        items = "".join(f"<li><code>{esc(n)}</code>: {esc(printable(m))}</li>"
                        for n, m in report.errors)
        errors = f"<p>Entries that reported an error (not in the table):</p><ul>{items}</ul>"
    return (f'<p class="note">One row per benchmark: the median of its repetitions, with the '
            f"95% confidence interval of that median (parbench's measurement.median_interval; "
            f"marked \"range\" where fewer than {fewest_repetitions()} repetitions give only "
            "their range); reps ending in ~ stopped undecided. GB/s and the fraction of the "
            "read bandwidth for sums, speedup over the reference, efficiency; for tasks, the "
            "makespan over the schedule model's prediction. Click a header to sort.</p>"
            f'<div class="scroll"><table class="results"><thead><tr>{head}</tr></thead>'
            f"<tbody>\n{rows}\n</tbody></table></div>{errors}")


# ----------------------------------------------------------------------------------------------
# The page


def report_title(report):
    what = report.machine()
    return f"{what} — {report.host}, {report.date}" if what else f"{report.host}, {report.date}"


def report_section(report, index, figures, several):
    """One report: findings, figures, machine, results. figures: [(name, svg, extras)]."""
    prefix = f"s{index}-"
    anchors = anchors_of(report, index)
    heading = "h2"
    parts = [f'<section id="{prefix}report">']
    if several:
        parts.append(f"<h2>{esc(report_title(report))}</h2>"
                     f'<p class="note">{esc(report.path)}</p>')
    if report.unfinished:
        parts.append('<p class="note"><b>Unfinished run</b>: this report holds what finished '
                     "before the run ended.</p>")
    parts.append(f'<{heading} id="{prefix}findings">Findings</{heading}>')
    parts.append(findings_html(report, anchors, prefix))
    parts.append(f'<{heading} id="{prefix}figures">Figures</{heading}>')
    if figures:
        parts += [figure_html(name, svg, f"{prefix}{n}-", extras)
                  for n, (name, svg, extras) in enumerate(figures)]
    else:
        parts.append('<p class="note">No figure could be drawn from this report.</p>')
    parts.append(f'<{heading} id="{prefix}machine">Machine and run</{heading}>')
    parts.append(context_html(report))
    parts.append(f'<{heading} id="{prefix}results">Every result '
                 f"({len(report.runs)} benchmarks)</{heading}>")
    parts.append(results_html(report, anchors))
    parts.append("</section>")
    return "\n".join(parts)


def nav_html(reports, several, compare):
    if not several:
        return ('<nav><a href="#s0-findings">Findings</a><a href="#s0-figures">Figures</a>'
                '<a href="#s0-machine">Machine and run</a><a href="#s0-results">Every result</a>'
                "</nav>")
    links = ['<a href="#compare">Side by side</a>'] if compare else []
    links += [f'<a href="#s{i}-report">{esc(report_title(r))}</a>' for i, r in enumerate(reports)]
    return "<nav>" + "".join(links) + "</nav>"


def document(title, body):
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS.replace('FIGURE_FONTS', FIGURE_FONTS)}"
            f"</style></head>\n<body>\n{body}\n"
            f"<script>{SCRIPT}</script>\n</body></html>\n")


def page(reports, figures, compare=()):
    """The page of these reports. figures: {id(report): [(name, svg, extras)]}; compare: the
    side-by-side figures of several reports, [(name, svg, extras)]."""
    several = len(reports) > 1
    if several:
        title = "parbench: " + " | ".join(r.label for r in reports)
        heading = f"parbench: {len(reports)} reports"
    else:
        title = f"parbench: {report_title(reports[0])}"
        heading = f"parbench on {report_title(reports[0])}"
    parts = [f"<h1>{esc(heading)}</h1>"]
    if not several:
        parts.append(f'<p class="note">{esc(reports[0].path)}</p>')
    parts.append(nav_html(reports, several, compare))
    if compare:
        parts.append('<section id="compare"><h2>Side by side</h2>')
        parts += [figure_html(name, svg, f"c{n}-", extras)
                  for n, (name, svg, extras) in enumerate(compare)]
        parts.append("</section>")
    for index, report in enumerate(reports):
        parts.append(report_section(report, index, figures.get(id(report), []), several))
    return document(title, "\n".join(parts))
