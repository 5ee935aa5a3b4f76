"""A Gantt chart's timelines as a trace in Chrome's Trace Event Format, which ui.perfetto.dev
and chrome://tracing open: each run a process (named after its backend, launch and policy),
each worker a thread, each task a complete event ("ph": "X", times in µs from the job's
start), and the job's measured makespan, its predicted makespan and the lower bound as instant
events. Standard library only.
"""

import json

from .report import positive
from .selection import config_label, config_of

MICRO = 1e6


def run_label(run):
    return " ".join(x for x in (run.backend, config_label(config_of(run))) if x)


def task_name(task, unit):
    """"task 3 (8 units)", or its duration in ms without a unit."""
    index = "?" if task.task is None else task.task
    if task.duration is not None and unit:
        return f"task {index} ({task.duration / unit:g} units)"
    if task.duration is not None:
        return f"task {index} ({task.duration * 1e3:g} ms)"
    return f"task {index}"


def run_events(pid, run, kernel):
    """The events of one run's recorded job (its last repetition's timeline)."""
    job = run.last_timeline()
    unit = positive(run.unit)
    label = run_label(run)
    events = [{"name": "process_name", "ph": "M", "pid": pid, "tid": 0,
               "args": {"name": f"{label} ({run.workers} workers)"}},
              {"name": "process_sort_index", "ph": "M", "pid": pid, "tid": 0,
               "args": {"sort_index": pid}}]
    for worker in sorted({t.worker for t in job.tasks}):
        events.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": worker,
                       "args": {"name": f"worker {worker}"}})
    for task in job.tasks:
        args = {k: v for k, v in (("task", task.task), ("duration", task.duration))
                if v is not None}
        events.append({"name": task_name(task, unit), "cat": kernel, "ph": "X",
                       "ts": round(task.start * MICRO, 3),
                       "dur": round(max(0.0, task.end - task.start) * MICRO, 3),
                       "pid": pid, "tid": task.worker, "args": args})
    for value, what in ((job.makespan, "measured makespan"),
                        (job.predicted, "predicted makespan"), (job.lower_bound, "lower bound")):
        if value is not None:
            events.append({"name": f"{what} {value * 1e3:.4g} ms", "cat": "marks", "ph": "i",
                           "s": "p", "ts": round(value * MICRO, 3), "pid": pid, "tid": 0})
    return events


def gantt_trace(report, kernel, tasks, runs):
    """The trace of a Gantt figure's runs as JSON text."""
    events = []
    for pid, run in enumerate(runs, 1):
        events += run_events(pid, run, kernel)
    other = {"report": report.path, "machine": report.stamp(), "kernel": kernel,
             "tasks": str(tasks),
             "note": "one job per run (its last repetition), times from the job's start"}
    return json.dumps({"traceEvents": events, "displayTimeUnit": "ms", "otherData": other},
                      indent=None, separators=(",", ":"), ensure_ascii=False) + "\n"
