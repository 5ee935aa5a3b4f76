#!/usr/bin/env python3
"""The report of parbench_remote_toy (tests/backends/remote_toy_backend.cpp) read by the Python
loader as any backend's: remote_toy's registry entry, and its sum, sleep and launch benchmarks
verified, the sleep ones with timelines of its workers and all with the server's CPU time.

    remote_toy_report.py PLOTS_DIR REPORT   exit 0, or an AssertionError saying what is missing
    remote_toy_report.py --unnamed SOURCE_DIR
        exit 0 when no file of parbench's own (outside tests/) names remote_toy
"""
import os
import sys

ROOMS = ("cli", "suites", "engine", "backends", "kernels", "platform", "report", "schema",
         "stats", "tools", "plots")
TASKS = 8  # --tasks=seed


def check_unnamed(root):
    named = []
    for room in ROOMS:
        for folder, _, names in os.walk(os.path.join(root, room)):
            for name in names:
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    if "remote_toy" in f.read():
                        named.append(os.path.relpath(path, root))
    assert not named, "parbench's own files name remote_toy: " + ", ".join(named)
    print("no file outside tests/ names remote_toy")


def check_timeline(run):
    found = run.last_timeline()
    assert found, f"{run.run_name}: no timeline"
    tasks = found.tasks
    assert len(tasks) == TASKS, f"{run.run_name}: {len(tasks)} tasks in its timeline"
    for task in tasks:
        assert task.worker in (0, 1), f"{run.run_name}: worker {task.worker}"
        assert 0 <= task.start < task.end, f"{run.run_name}: {task}"


def check_report(plots, path):
    sys.path.insert(0, plots)
    from parbench import report  # pylint: disable=import-outside-toplevel

    r = report.load_report(path)
    assert "remote_toy" in r.registry.order, r.registry.order
    assert r.registry.sum_policy("remote_toy", "cyclic") == "stripes"
    assert r.registry.launches("remote_toy") == ["server"], r.registry.launches("remote_toy")
    runs = [x for x in r.runs if x.backend == "remote_toy"]
    kinds = sorted({x.kernel for x in runs})
    assert kinds == ["launch", "sleep", "sum"], kinds
    launch = sorted({x.policy for x in runs if x.kernel == "launch"})
    assert launch == ["dispatch", "floor", "start", "start_stop"], launch
    for run in runs:
        assert run.reps, f"{run.run_name}: no repetition"
        assert all(e.get("verified") == 1 for e in run.reps), f"{run.run_name}: not verified"
        if run.kernel != "launch" or run.policy == "start_stop":
            assert run.values("children_cpu_time"), f"{run.run_name}: no children_cpu_time"
        if run.kernel == "sleep":
            check_timeline(run)
    print("remote_toy runs:", kinds, "launch:", launch)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--unnamed":
        check_unnamed(sys.argv[2])
    elif len(sys.argv) == 3:
        check_report(sys.argv[1], sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
