#!/usr/bin/env python3
"""Chaos test of a report's life cycle: runs parbench N times, sends each run SIGINT, SIGTERM or
SIGKILL at a random moment, then finishes it with --resume, and counts what a user would lose.

usage: chaos.py PARBENCH RUNS [SEED]

Fails (exit 1) when an earlier report is torn or emptied, a benchmark that finished is lost,
a benchmark is missing or appears twice after --resume, or a process is left behind.
Standard library only."""
import ctypes
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

OLD = '{"an": "earlier report"}\n'
SELECTION = ["--kernels=sum,sleep", "--backends=serial,thread,fork", "--sizes=4K", "--workers=2",
             "--tasks=seed", "--unit=2ms", "--repetitions=2", "--min-time=0.001",
             "--calibration-size=256K"]


def processes_in_group(pgid):
    left = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp
            left.append((int(pid), fields[0]))
    return left


def read_report(path):
    """The report at path: 'old', a parsed report, or None when torn, empty or missing."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    if text == OLD:
        return "old"
    try:
        report = json.loads(text)
    except ValueError:
        return None
    return report if isinstance(report, dict) and "benchmarks" in report else None


def journal_benchmarks(path):
    names = set()
    try:
        with open(path) as f:
            for line in f:
                try:
                    names.add(json.loads(line)["benchmark"])
                except (ValueError, KeyError):
                    pass
    except OSError:
        pass
    return names


def run_names(report):
    """Each benchmark's run name, counted once per benchmark (its first repetition)."""
    counts = {}
    for e in report["benchmarks"]:
        if e.get("run_type") == "iteration" and e.get("repetition_index", 0) == 0:
            counts[e["run_name"]] = counts.get(e["run_name"], 0) + 1
    return counts


def become_subreaper():
    """Orphans come to this process, as they would to an init that reaps them: a run killed by
    SIGKILL cannot reap its own workers (they die with it), and some VMs' PID 1 never does."""
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_orphans():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main():
    parbench, runs = sys.argv[1], int(sys.argv[2])
    become_subreaper()
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 2026)
    listed = subprocess.run([parbench, *SELECTION, "--benchmark_list_tests=true"],
                            capture_output=True, text=True, check=True).stdout.split()
    expected = {n.removesuffix("/process_time/real_time") for n in listed}
    # How long a whole run takes here, so that signals land all through one.
    work = tempfile.mkdtemp(prefix="parbench-chaos-")
    start = time.monotonic()
    subprocess.run([parbench, *SELECTION, f"--out={work}/timing.json"], capture_output=True,
                   check=True)
    whole = time.monotonic() - start

    tally = {"SIGINT": 0, "SIGTERM": 0, "SIGKILL": 0}
    old_intact = replaced_valid = torn = lost = duplicated = missing = left = resumed = 0
    problems = []
    for i in range(runs):
        d = os.path.join(work, str(i))
        os.makedirs(d)
        out = os.path.join(d, "r.json")
        with open(out, "w") as f:
            f.write(OLD)
        sig = rng.choice([signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
        tally[sig.name] += 1
        err_path = os.path.join(d, "err.txt")
        with open(err_path, "w") as err:
            p = subprocess.Popen([parbench, *SELECTION, f"--out={out}"], stdout=subprocess.DEVNULL,
                                 stderr=err, start_new_session=True)
            time.sleep(rng.uniform(0, whole * 1.1))
            try:
                p.send_signal(sig)
            except ProcessLookupError:
                pass
            p.wait()
        time.sleep(0.05)
        reap_orphans()
        stray = processes_in_group(p.pid)
        if stray:
            left += len(stray)
            problems.append(f"run {i}: processes left {stray}")
            for pid in stray:
                try:
                    os.kill(pid[0], signal.SIGKILL)
                except OSError:
                    pass
        with open(err_path) as f:
            progress = [int(m) for m in re.findall(r"\[(\d+)/\d+\]", f.read())]
        finished = max(progress, default=0)

        report = read_report(out)
        if report is None:
            torn += 1
            problems.append(f"run {i} ({sig.name}): the report is torn or emptied")
            continue
        if report == "old":
            old_intact += 1
        else:
            replaced_valid += 1
        saved = journal_benchmarks(out + ".partial")
        if isinstance(report, dict):
            saved |= {n.removesuffix("/process_time/real_time") for n in run_names(report)}
        if len(saved) < finished:
            lost += finished - len(saved)
            problems.append(f"run {i} ({sig.name}): {finished} finished, {len(saved)} saved")

        if isinstance(report, dict) and report["context"].get("complete") and \
                not os.path.exists(out + ".partial"):
            final = report
        elif os.path.exists(out + ".partial") or isinstance(report, dict):
            source = out if isinstance(report, dict) else out + ".partial"
            r = subprocess.run([parbench, f"--resume={source}"], capture_output=True, text=True)
            resumed += 1
            if r.returncode != 0:
                problems.append(f"run {i}: --resume={source} exited {r.returncode}: "
                                f"{r.stderr.strip().splitlines()[-1:]}")
                continue
            final = read_report(out)
        else:
            continue  # interrupted before anything finished: nothing to resume
        if not isinstance(final, dict) or not final["context"].get("complete"):
            problems.append(f"run {i}: no complete report after resume")
            continue
        names = run_names(final)
        present = {n.removesuffix("/process_time/real_time") for n in names}
        duplicated += sum(c - 1 for c in names.values())
        missing += len(expected - present)
        if os.path.exists(out + ".partial"):
            problems.append(f"run {i}: the journal stayed after a complete report")

    print(f"chaos: {runs} runs (SIGINT {tally['SIGINT']}, SIGTERM {tally['SIGTERM']}, "
          f"SIGKILL {tally['SIGKILL']}), a whole run {whole:.1f} s: earlier report intact "
          f"{old_intact}, replaced by a valid report {replaced_valid}, torn or emptied {torn}; "
          f"finished benchmarks lost {lost}; resumed {resumed}: duplicated {duplicated}, "
          f"missing {missing}; processes left {left}")
    for p in problems:
        print("  " + p)
    shutil.rmtree(work, ignore_errors=True)
    bad = torn + lost + duplicated + missing + left + len(problems)
    print(f"{runs - min(runs, len(problems) + torn)} passed, {min(runs, len(problems) + torn)} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
