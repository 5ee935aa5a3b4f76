#!/usr/bin/env python3
"""Reports written by the last release before the house was rebuilt (commit 664a258) are read by
today's tools: parbench-compare, parbench --findings, parbench --resume (of an interrupted
run's report and of a killed run's journal) and plots/plot.

tests/fixtures/release-664a258/ holds what that release wrote on a 2-vCPU VM:
  complete.json.gz        --backends=serial,thread,fork,openmp,tbb --kernels=sum,sleep,spin,launch
                          --sizes=64K,1M --tasks=seed --unit=1ms --workers=1,2 --repetitions=5
  interrupted.json.gz     --backends=serial,thread,fork --kernels=sum,sleep,launch --sizes=64K
  interrupted.json.partial.gz   (...) ended by SIGINT after 18 s: its report and its journal
  killed.json.partial.gz  the same selection killed (SIGKILL) after 18 s: the journal alone
Their runtimes are at the top level of `context` (before `context.runtimes`), and their
registry of backends has no `workers_per_job`.

usage: old_release.py PARBENCH PARBENCH_COMPARE PLOT WORK_DIR [--no-plots]
"""
import gzip
import json
import os
import shutil
import subprocess
import sys

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                        "release-664a258")


def fail(why):
    print(f"FAIL: {why}")
    sys.exit(1)


def run(command, expect=0):
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    print(f"$ {' '.join(command)}  -> exit {done.returncode}")
    if done.returncode != expect:
        print(done.stdout[-3000:])
        print(done.stderr[-3000:])
        fail(f"exit status {done.returncode}, not {expect}")
    return done


def unpacked(name, work):
    """The fixture `name`.gz, decompressed into the work directory (resume writes beside it)."""
    path = os.path.join(work, name)
    with gzip.open(os.path.join(FIXTURES, name + ".gz"), "rb") as f, open(path, "wb") as out:
        shutil.copyfileobj(f, out)
    return path


def check_resumed(path, old_sessions):
    with open(path) as f:
        report = json.load(f)
    context = report["context"]
    if context.get("complete") is not True:
        fail(f"{path}: resumed, but not complete")
    sessions = context.get("sessions", [])
    if len(sessions) != old_sessions + 1:
        fail(f"{path}: {len(sessions)} sessions, not {old_sessions + 1}")
    if "runtimes" not in context:
        fail(f"{path}: the resumed report's context has no runtimes")
    errors = [b["name"] for b in report["benchmarks"] if b.get("error_occurred")]
    if errors:
        fail(f"{path}: entries with an error: {errors[:3]}")
    print(f"  {path}: complete, {len(report['benchmarks'])} entries, {len(sessions)} sessions")


def main():
    parbench, compare, plot, work = sys.argv[1:5]
    plots = "--no-plots" not in sys.argv[5:]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    complete = os.path.join(FIXTURES, "complete.json.gz")

    # compare: an old report against itself, and against the journal of an unfinished run.
    out = run([compare, complete, complete]).stdout
    if "geomean" not in out:
        fail("parbench-compare printed no geomean row")
    journal = unpacked("killed.json.partial", work)
    err = run([compare, complete, journal]).stderr
    if "journal of an unfinished run" not in err:
        fail("parbench-compare did not say the journal is of an unfinished run")

    # --findings: the old report's answers, with this build's registry standing in for one
    # it lacks (it has one: 664a258 recorded context.backends).
    with_findings = os.path.join(work, "with-findings.json")
    out = run([parbench, f"--findings={complete}", f"--out={with_findings}"]).stdout
    for question in ("Contiguous blocks or a strided split?", "Uneven tasks"):
        if question not in out:
            fail(f"--findings did not print '{question}'")
    with open(with_findings) as f:
        findings = {x["question"]: x for x in json.load(f)["findings"]}
    # What this report can answer (its sizes fit in the cache, it was not pinned, it has no
    # oversubscribed workers): each answered on evidence from its entries.
    for question in ("split", "launch", "uneven"):
        if not findings.get(question, {}).get("supported") or not findings[question]["evidence"]:
            fail(f"--findings did not answer '{question}' from the report's entries")

    # --resume of an interrupted run's report (its journal beside it), and of a killed run's
    # journal: each completed by this build, another one, hence --resume-anyway.
    interrupted = unpacked("interrupted.json", work)
    unpacked("interrupted.json.partial", work)
    run([parbench, f"--resume={interrupted}"], expect=2)  # another build: refused, said
    run([parbench, f"--resume={interrupted}", "--resume-anyway"])
    check_resumed(interrupted, 1)
    run([parbench, f"--resume={journal}", "--resume-anyway"])
    check_resumed(journal[: -len(".partial")], 1)
    run([compare, complete, interrupted])

    if plots:
        figures = os.path.join(work, "figures")
        page = os.path.join(work, "page.html")
        run([plot, "--out", figures, "--html", page, complete])
        with open(page) as f:
            html = f.read()
        for runtime in ("openmp runtime", "tbb runtime", "mpi runtime"):
            if runtime not in html:
                fail(f"the page does not show the {runtime} runtime of the old report")
        print(f"  figures: {sorted(n for n in os.listdir(figures) if n.endswith('.png'))}")
    print("ok: the last release's reports and journals are read by today's tools")


if __name__ == "__main__":
    main()
