#!/usr/bin/env python3
"""Runs plots/plot --html or --gallery and checks the page it wrote; the ctest tests call it.

  check_page.py PLOT page OUT_DIR [--findings N] [--unsupported N] [--predates N]
                [--with-out] -- REPORT...
      plots/plot --html OUT_DIR/page.html REPORT... (with --with-out, and --out
      OUT_DIR/figures, where the figures must be too): exit 0, no warning on stderr, and a page
      that passes static_problems() (below), with a figure (inline SVG) or more per report, a
      row in the results table per run of each report (as plots/parbench/report.py reads it),
      N findings (N of them unsupported, shown muted), and N notes that a report predates them
  check_page.py PLOT gallery OUT_DIR --machines N -- FOLDER...
      plots/plot --gallery OUT_DIR/gallery.html FOLDER...: exit 0, a page that passes
      static_problems(), N machines, the figure, a table of the numbers
  check_page.py PLOT browser OUT_DIR -- REPORT
      the page of REPORT opened by headless Chromium (chromium, chromium-browser or
      google-chrome on the PATH, or $CHROMIUM), with every host name resolving nowhere and a
      net log: the page loads, its figures, findings and table are in the DOM, the table sorts
      by a click on a header (a copy of the page with a script that clicks), it made no network
      request (while a page that asks for an http:// image, checked the same way, is caught),
      and a screenshot is taken (OUT_DIR/page.png); prints its size and how long it took to
      load. Exits 77 when no Chromium is found.

static_problems() is what "self-contained" means here: no "http://" or "https://" anywhere in
the page; every src, href, xlink:href and url() refers to the page itself (#id, with that id in
the page) or is a data: URL; no <link>, <img>, <iframe>, <object>, <embed>, external script or
@import; ids unique; and the elements well nested (html.parser; the end tags HTML lets a page
leave out, of td, th, tr, li, dt, dd and p, may be left out).
"""

import html.parser
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "plots"))

from parbench import report as loader  # noqa: E402  (after the path is set)

SKIP = 77
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
OPTIONAL_END = {"td", "th", "tr", "li", "dt", "dd", "p", "thead", "tbody"}
FORBIDDEN = {"link", "img", "iframe", "object", "embed", "frame", "audio", "video", "source",
             "base"}


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


class PageParser(html.parser.HTMLParser):
    """Collects what static_problems() looks at."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.stack, self.ids, self.refs = [], [], [], []
        self.counts = {}

    def count(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1

    def attributes(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name == "id":
                self.ids.append(value)
            if name in ("src", "href", "xlink:href", "action", "srcset", "poster"):
                if value.startswith("#"):
                    self.refs.append(value[1:])
                elif not value.startswith("data:"):
                    self.problems.append(f"<{tag} {name}=\"{value[:60]}\"> refers outside the page")
            if name == "style" or (tag == "svg" and name in ("clip-path", "fill", "mask")):
                for target in re.findall(r"url\(\s*['\"]?([^)'\"]*)", value):
                    if target.startswith("#"):
                        self.refs.append(target[1:])
                    elif not target.startswith("data:"):
                        self.problems.append(f"url({target[:60]}) in <{tag}> refers outside")
            if name == "clip-path":
                self.refs += re.findall(r"url\(#([^)]+)\)", value)
        if tag in FORBIDDEN:
            self.problems.append(f"<{tag}> element")
        if tag == "script" and any(n == "src" for n, _ in attrs):
            self.problems.append("<script src=...>")
        classes = dict(attrs).get("class") or ""
        for name in classes.split():
            self.count(f"{tag}.{name}")
        self.count(tag)

    def handle_starttag(self, tag, attrs):
        self.attributes(tag, attrs)
        if tag in VOID:
            return
        if tag in ("td", "th") and self.stack and self.stack[-1] in ("td", "th"):
            self.stack.pop()
        if tag == "tr":
            while self.stack and self.stack[-1] in ("td", "th", "tr"):
                self.stack.pop()
        if tag in ("li", "dt", "dd") and self.stack and self.stack[-1] in ("li", "dt", "dd"):
            self.stack.pop()
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.attributes(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "style":
            if "@import" in data:
                self.problems.append("@import in a style sheet")
            for target in re.findall(r"url\(\s*['\"]?([^)'\"]*)", data):
                if not target.startswith(("#", "data:")):
                    self.problems.append(f"url({target[:60]}) in a style sheet")


def parse_page(text):
    parser = PageParser()
    parser.feed(text)
    parser.close()
    return parser


def static_problems(text):
    """What keeps the page from being one self-contained, well-formed file: a list of lines,
    empty for a good page."""
    parser = parse_page(text)
    problems = list(parser.problems)
    for scheme in ("http://", "https://"):
        if scheme in text.lower():
            where = text.lower().index(scheme)
            problems.append(f"'{scheme}' in the page: ...{text[max(0, where - 40):where + 40]}...")
    leftover = [t for t in parser.stack if t not in OPTIONAL_END]
    if leftover:
        problems.append(f"elements never closed: {leftover[:5]}")
    if not text.lstrip().lower().startswith("<!doctype html>"):
        problems.append("no <!DOCTYPE html> first")
    seen, twice = set(), set()
    for name in parser.ids:
        (twice if name in seen else seen).add(name)
    if twice:
        problems.append(f"ids used twice: {sorted(twice)[:5]}")
    missing = sorted({r for r in parser.refs if r not in seen})
    if missing:
        problems.append(f"links to ids that are not in the page: {missing[:5]}")
    return problems


def run(args, timeout=900):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    print(f"$ {' '.join(args)}\n-> exit {result.returncode}")
    print(f"stdout:\n{result.stdout[-3000:]}stderr:\n{result.stderr[-3000:]}")
    return result


def make_page(plot, option, out_dir, name, inputs, figures=None):
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    path = os.path.join(out_dir, name)
    result = run([plot, option, path, *(["--out", figures] if figures else []), *inputs])
    if result.returncode == SKIP:
        print("SKIP: no Python 3 with matplotlib (apt-get install python3-matplotlib)")
        sys.exit(SKIP)
    if result.returncode != 0:
        fail(f"exit status {result.returncode}, expected 0")
    if "Traceback" in result.stderr or "Warning" in result.stderr:
        fail("a traceback or a warning on stderr")
    wanted = sorted([name] + ([os.path.basename(figures)] if figures else []))
    if sorted(os.listdir(out_dir)) != wanted:
        fail(f"files in {out_dir}: {sorted(os.listdir(out_dir))}, expected {wanted}")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    problems = static_problems(text)
    if problems:
        fail("the page is not self-contained and well formed:\n  " + "\n  ".join(problems))
    return path, text


def page(plot, out_dir, options, reports):
    figures = os.path.join(out_dir, "figures") if "--with-out" in options else None
    path, text = make_page(plot, "--html", out_dir, "page.html", reports, figures)
    if figures:
        drawn = {n[:-4] for n in os.listdir(figures) if n.endswith(".svg")}
        shown = re.findall(r"<figcaption><b>([^<]*)</b>", text)
        if not drawn or len(drawn) != len(shown):
            fail(f"{len(drawn)} figures in {figures}, {len(shown)} on the page")
    parser = parse_page(text)
    loaded = [loader.load_report(r) for r in reports]
    runs = sum(len(r.runs) for r in loaded)
    rows = len(re.findall(r'<tr id="r\d+-\d+">', text))
    if rows != runs:
        fail(f"{rows} rows in the results tables, expected one per run: {runs}")
    if parser.counts.get("table.results", 0) != len(reports):
        fail("not one results table per report")
    if parser.counts.get("svg", 0) < len(reports):
        fail("fewer inline figures (svg) than reports")
    findings = parser.counts.get("section.finding", 0)
    muted = parser.counts.get("section.unsupported", 0)
    if "--findings" in options and findings != int(options[options.index("--findings") + 1]):
        fail(f"{findings} findings shown")
    if "--unsupported" in options and muted != int(options[options.index("--unsupported") + 1]):
        fail(f"{muted} findings shown as not answered")
    predates = text.count("This report predates findings")
    expected = int(options[options.index("--predates") + 1]) if "--predates" in options else 0
    if predates != expected:
        fail(f"{predates} notes that a report predates findings, expected {expected}")
    evidence = re.findall(r'<p class="evidence">(.*?)</p>', text)
    if findings and not any('href="#r' in e for e in evidence):
        fail("no finding's evidence links to a row of the results table")
    print(f"OK: {path}: {len(text)} bytes, {rows} result rows, {findings} findings "
          f"({muted} not answered), {parser.counts.get('svg', 0)} figures, self-contained")


def gallery(plot, out_dir, options, folders):
    path, text = make_page(plot, "--gallery", out_dir, "gallery.html", folders)
    parser = parse_page(text)
    machines = options[options.index("--machines") + 1]
    if machines == "auto":  # a folder of machines: one per subfolder that holds a report
        machines = sum(1 for d in pathlib.Path(folders[0]).iterdir()
                       if d.is_dir() and any(d.glob("*.json*")))
    machines = int(machines)
    listed = len(re.findall(r"<li><b>", text))
    if listed != machines:
        fail(f"{listed} machines listed, expected {machines}")
    if parser.counts.get("svg", 0) != 1:
        fail("not one figure")
    columns = re.search(r'<table class="gallery"><thead><tr>(.*?)</tr>', text)
    if not columns or columns.group(1).count("<th>") != machines + 2:
        fail("the table of numbers has not one column per machine")
    print(f"OK: {path}: {len(text)} bytes, {machines} machines, self-contained")


# ----------------------------------------------------------------------------------------------
# A real browser


def find_chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-default-apps",
           "--disable-extensions"]


def chromium(browser, url, folder, extra=(), timeout=120):
    """Runs headless Chromium on the URL; (stdout, seconds, net log events)."""
    log = os.path.join(folder, f"net-{len(os.listdir(folder))}.json")
    args = [browser, *OFFLINE, f"--user-data-dir={os.path.join(folder, 'profile')}",
            f"--log-net-log={log}", *extra, url]
    start = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - start
    if result.returncode != 0:
        fail(f"chromium exited {result.returncode}: {result.stderr[-2000:]}")
    with open(log, encoding="utf-8") as f:
        net = json.load(f)
    return result.stdout, seconds, net


def page_requests(net):
    """The URLs the page itself asked the network for: requests whose top frame is a file://
    page (Chromium's own background requests have another network isolation key), other than
    file: and data: URLs."""
    urls = []
    for event in net.get("events", []):
        params = event.get("params") or {}
        url = params.get("url")
        if not isinstance(url, str) or url.startswith(("file:", "data:", "about:", "blob:")):
            continue
        key = str(params.get("network_isolation_key", "")) + str(params.get("site_for_cookies",
                                                                             ""))
        if "file://" in key:
            urls.append(url)
    return sorted(set(urls))


SORT_PROBE = """
<script>
var th = document.querySelectorAll("table.results th")[7];  /* median time */
function order() { return Array.from(document.querySelector("table.results").tBodies[0].rows)
  .map(function (r) { var v = r.cells[7].dataset.v; return v === undefined ? "" : v; }); }
var before = order(); th.click(); var up = order(); th.click(); var down = order();
var probe = document.createElement("pre"); probe.id = "sort-probe";
probe.textContent = JSON.stringify({before: before, up: up, down: down});
document.body.appendChild(probe);
</script>
"""


def browser(plot, out_dir, reports):
    browser_path = find_chromium()
    if not browser_path:
        print("SKIP: no Chromium (apt-get install chromium)")
        sys.exit(SKIP)
    path, text = make_page(plot, "--html", out_dir, "page.html", reports)
    with tempfile.TemporaryDirectory() as folder:
        bad = os.path.join(folder, "bad.html")
        with open(bad, "w", encoding="utf-8") as f:
            f.write('<!DOCTYPE html><p>x</p><img src="http://parbench-test.invalid/x.png">')
        _, _, net = chromium(browser_path, f"file://{bad}", folder, ["--dump-dom"])
        if page_requests(net) != ["http://parbench-test.invalid/x.png"]:
            fail(f"the net log does not show the request of a page that makes one: "
                 f"{page_requests(net)}")

        dom, seconds, net = chromium(browser_path, f"file://{os.path.abspath(path)}", folder,
                                     ["--dump-dom"])
        asked = page_requests(net)
        if asked:
            fail(f"the page asked the network for {asked}")
        rows = len(re.findall(r'<tr id="r\d+-\d+">', dom))
        expected = len(re.findall(r'<tr id="r\d+-\d+">', text))
        if rows != expected or dom.count("<svg") != text.count("<svg") or rows == 0:
            fail(f"the DOM has {rows} result rows and {dom.count('<svg')} figures, the page "
                 f"{expected} and {text.count('<svg')}")

        probe_page = os.path.join(folder, "probe.html")
        with open(probe_page, "w", encoding="utf-8") as f:
            f.write(text.replace("</body>", SORT_PROBE + "</body>"))
        probed, _, _ = chromium(browser_path, f"file://{probe_page}", folder, ["--dump-dom"])
        found = re.search(r'<pre id="sort-probe">(.*?)</pre>', probed, flags=re.S)
        if not found:
            fail("the sort probe did not run")
        orders = json.loads(html.unescape(found.group(1)))
        up = [float(v) for v in orders["up"] if v != ""]
        empties = len(orders["up"]) - len(up)
        if not up or up != sorted(up) or orders["up"][len(up):] != [""] * empties:
            fail("a click on 'median time' did not sort the rows by it, rows without a value "
                 "last")
        if [float(v) for v in orders["down"] if v != ""] != sorted(up, reverse=True):
            fail("a second click did not reverse the order")

        shot = os.path.join(out_dir, "page.png")
        chromium(browser_path, f"file://{os.path.abspath(path)}", folder,
                 [f"--screenshot={shot}", "--window-size=1400,2200", "--hide-scrollbars"])
        if not os.path.exists(shot) or os.path.getsize(shot) < 20000:
            fail("no screenshot, or an empty one")
    print(f"OK: {path}: {len(text)} bytes; Chromium loaded it and dumped its DOM in "
          f"{seconds:.2f} s (browser start included), {rows} rows, {dom.count('<svg')} "
          f"figures, no network request; the table sorts; screenshot {shot}")


def main(argv):
    if len(argv) < 3:
        fail(__doc__)
    plot, mode, rest = argv[0], argv[1], argv[2:]
    cut = rest.index("--") if "--" in rest else len(rest)
    before, after = rest[:cut], rest[cut + 1:]
    if mode == "page":
        page(plot, before[0], before[1:], after)
    elif mode == "gallery":
        gallery(plot, before[0], before[1:], after)
    elif mode == "browser":
        browser(plot, before[0], after)
    else:
        fail(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
