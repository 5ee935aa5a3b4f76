"""A Gantt chart's timelines as a trace in Chrome's Trace Event Format, which ui.perfetto.dev
and chrome://tracing open: each run a process (named after its backend, launch and policy),
each worker a thread, each task a complete event ("ph": "X", times in µs from the job's
start), and the job's measured makespan, its predicted makespan and the lower bound as instant
events. Standard library only.
"""

import json

from .report import entry_value, is_number

MICRO = 1e6


def run_label(run):
    words = [run.backend] + [str(p) for p in (run.launch, run.policy) if p not in (None, "inline")]
    return " ".join(words)


def task_name(item, unit):
    """"task 3 (8 units)", or its duration in ms without a unit."""
    duration = item.get("duration")
    if is_number(duration) and unit:
        return f"task {item.get('task', '?')} ({duration / unit:g} units)"
    if is_number(duration):
        return f"task {item.get('task', '?')} ({duration * 1e3:g} ms)"
    return f"task {item.get('task', '?')}"


def run_events(pid, run, kernel):
    """The events of one run's recorded job (its last repetition's timeline)."""
    entry, timeline = run.last_timeline()
    unit = run.unit if is_number(run.unit) and run.unit > 0 else None
    label = run_label(run)
    events = [{"name": "process_name", "ph": "M", "pid": pid, "tid": 0,
               "args": {"name": f"{label} ({run.workers} workers)"}},
              {"name": "process_sort_index", "ph": "M", "pid": pid, "tid": 0,
               "args": {"sort_index": pid}}]
    for worker in sorted({int(t["worker"]) for t in timeline}):
        events.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": worker,
                       "args": {"name": f"worker {worker}"}})
    for item in timeline:
        args = {k: item[k] for k in ("task", "duration") if k in item}
        events.append({"name": task_name(item, unit), "cat": kernel, "ph": "X",
                       "ts": round(item["start"] * MICRO, 3),
                       "dur": round(max(0.0, item["end"] - item["start"]) * MICRO, 3),
                       "pid": pid, "tid": int(item["worker"]), "args": args})
    for field, what in (("makespan", "measured makespan"), ("predicted", "predicted makespan"),
                        ("lower_bound", "lower bound")):
        value = entry_value(entry, field)
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
