#!/usr/bin/env python3
"""Runs plots/plot and checks what it did; the ctest tests in this folder call it.

  check_plot.py PLOT figures OUT_DIR NAMES [--notes NAMES] [--says TEXT] -- REPORT...
      exit 0 and exactly NAMES.png and NAMES.svg in OUT_DIR (comma-separated names), each a
      valid, non-empty PNG (magic bytes, IHDR size) and SVG (an <svg> root element), and for
      each Gantt chart (a name with "gantt_") its trace, NAME.trace.json, in Chrome's Trace
      Event Format; no warning on stderr; with --notes, a "skipped NAME" note on stderr for
      each of those names; with --says, exactly one line on stderr that contains TEXT
  check_plot.py PLOT bad OUT_DIR TEXT -- ARG...
      exit 2, one line on stderr that contains TEXT, no traceback, nothing written in OUT_DIR;
      in ARG, @OUT@ is OUT_DIR and @FIFO@, @HUGE@, @BOMB@ are made in a folder of their own:
      a FIFO, a sparse file of 600 MiB, and a gzip file that inflates to 1 GiB
  check_plot.py PLOT no-matplotlib
      with no usable interpreter, the launcher says how to get matplotlib and exits 77

Exits 77 (ctest's SKIP_RETURN_CODE here) when the plot command finds no Python with
matplotlib, so that a machine without it skips the tests instead of failing them.
"""

import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SKIP = 77
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_ROOT = "{http://www.w3.org/2000/svg}svg"


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def run(plot, args, env=None, timeout=600):
    result = subprocess.run([plot, *args], capture_output=True, text=True, timeout=timeout,
                            env=dict(os.environ, **(env or {})))
    print(f"$ {plot} {' '.join(args)}\n-> exit {result.returncode}")
    print(f"stdout:\n{result.stdout}stderr:\n{result.stderr}")
    return result


def skip_without_matplotlib(result):
    if result.returncode == SKIP:
        print("SKIP: no Python 3 with matplotlib (apt-get install python3-matplotlib)")
        sys.exit(SKIP)


def check_png(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or not head.startswith(PNG_MAGIC) or head[12:16] != b"IHDR":
        fail(f"{path} is not a PNG")
    width, height = struct.unpack(">II", head[16:24])
    if width < 200 or height < 200:
        fail(f"{path} is only {width}x{height} pixels")
    if os.path.getsize(path) < 5000:
        fail(f"{path} is nearly empty ({os.path.getsize(path)} bytes)")


def check_svg(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail(f"{path} is not XML: {e}")
    if root.tag != SVG_ROOT:
        fail(f"{path} has root element {root.tag}, not <svg>")
    if sum(1 for _ in root.iter()) < 50:
        fail(f"{path} is nearly empty")


def check_trace(path):
    """Chrome's Trace Event Format, as ui.perfetto.dev reads it: {"traceEvents": [...]}, a
    complete event ("ph": "X") per task with numeric ts and dur (µs) and integer pid and tid."""
    try:
        with open(path, encoding="utf-8") as f:
            trace = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path} is not JSON: {e}")
    events = trace.get("traceEvents") if isinstance(trace, dict) else None
    if not isinstance(events, list):
        fail(f"{path} has no traceEvents list")
    tasks = [e for e in events if isinstance(e, dict) and e.get("ph") == "X"]
    if not tasks:
        fail(f"{path} has no complete (X) events")
    for event in tasks:
        if not (isinstance(event.get("name"), str)
                and all(isinstance(event.get(k), (int, float)) for k in ("ts", "dur"))
                and all(isinstance(event.get(k), int) for k in ("pid", "tid"))
                and event["dur"] >= 0 and event["ts"] >= 0):
            fail(f"{path}: a task event lacks name, ts, dur, pid or tid: {event}")


def figures(plot, out_dir, names, notes, says, reports):
    shutil.rmtree(out_dir, ignore_errors=True)
    result = run(plot, ["--out", out_dir, *reports])
    skip_without_matplotlib(result)
    if result.returncode != 0:
        fail(f"exit status {result.returncode}, expected 0")
    if "Traceback" in result.stderr:
        fail("a Python traceback on stderr")
    if "Warning" in result.stderr:
        fail("a warning on stderr")
    traces = [n for n in names if n.startswith("gantt_") or "_gantt_" in n]
    expected = {f"{n}.{ext}" for n in names for ext in ("png", "svg")}
    expected |= {f"{n}.trace.json" for n in traces}
    found = set(os.listdir(out_dir))
    if found != expected:
        fail(f"files missing: {sorted(expected - found)}; unexpected: {sorted(found - expected)}")
    for name in names:
        check_png(os.path.join(out_dir, name + ".png"))
        check_svg(os.path.join(out_dir, name + ".svg"))
    for name in traces:
        check_trace(os.path.join(out_dir, name + ".trace.json"))
    lines = result.stderr.splitlines()
    for name in notes:
        if not any(line.startswith(f"plot: skipped {name}:") for line in lines):
            fail(f"no note on stderr that {name} was skipped")
    if says and sum(says in line for line in lines) != 1:
        fail(f"not one line on stderr that says '{says}'")
    print(f"OK: {len(names)} figures, PNG and SVG")


def make_input(kind, folder):
    """An input the plot command must refuse without reading it whole, or at all."""
    path = os.path.join(folder, kind.strip("@").lower() + ".json")
    if kind == "@FIFO@":
        os.mkfifo(path)
    elif kind == "@HUGE@":
        with open(path, "wb") as f:
            f.truncate(600 << 20)  # sparse: takes no disk
    elif kind == "@BOMB@":
        member = gzip.compress(bytes(1 << 20), 9)  # gzip reads members one after another
        with open(path + ".gz", "wb") as f:
            f.write(member * 1024)
        path += ".gz"
    return path


def bad(plot, out_dir, text, args):
    shutil.rmtree(out_dir, ignore_errors=True)
    with tempfile.TemporaryDirectory() as inputs:
        args = [make_input(a, inputs) if a in ("@FIFO@", "@HUGE@", "@BOMB@") else
                a.replace("@OUT@", out_dir) for a in args]
        try:  # bad input is answered at once; a FIFO read as a file would wait forever
            result = run(plot, args, timeout=120)
        except subprocess.TimeoutExpired:
            fail("no answer within 120 s")
    skip_without_matplotlib(result)
    lines = result.stderr.strip().splitlines()
    if result.returncode != 2:
        fail(f"exit status {result.returncode}, expected 2")
    if len(lines) != 1:
        fail(f"{len(lines)} lines on stderr, expected one")
    if text not in lines[0] or "Traceback" in result.stderr:
        fail(f"stderr does not say '{text}'")
    if os.path.isdir(out_dir) and os.listdir(out_dir):
        fail(f"files were written: {sorted(os.listdir(out_dir))}")
    print("OK: one clear line and exit status 2")


def no_matplotlib(plot):
    result = run(plot, ["--out", "unused", "unused.json"],
                 env={"PARBENCH_PLOT_PYTHONS": "/nonexistent/python3"})
    lines = result.stderr.strip().splitlines()
    if result.returncode != SKIP or len(lines) != 1 or \
            "apt-get install python3-matplotlib" not in lines[0]:
        fail("the launcher should say how to install matplotlib, in one line, and exit 77")
    print("OK: the launcher says how to get matplotlib")


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    plot, mode, rest = argv[0], argv[1], argv[2:]
    cut = rest.index("--") if "--" in rest else len(rest)
    before, after = rest[:cut], rest[cut + 1:]
    if mode == "figures":
        out_dir, names, options = before[0], before[1].split(","), before[2:]
        notes = options[options.index("--notes") + 1].split(",") if "--notes" in options else []
        says = options[options.index("--says") + 1] if "--says" in options else None
        figures(plot, out_dir, names, notes, says, after)
    elif mode == "bad":
        bad(plot, before[0], before[1], after)
    elif mode == "no-matplotlib":
        no_matplotlib(plot)
    else:
        fail(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
