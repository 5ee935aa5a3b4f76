#!/usr/bin/env python3
"""The mpi backend end to end: parbench under mpirun, and a rank killed mid-run.

usage: mpi_run.py PARBENCH OUT_DIR ranks N [tcp]   mpirun -np N parbench ..., then checks its report
       mpi_run.py PARBENCH OUT_DIR relaunch N      parbench --ranks=N (it starts mpirun itself)
       mpi_run.py PARBENCH OUT_DIR hybrid N        mpirun -np N parbench --threads-per-rank=2: every
                                                   sum verified, params.threads_per_rank 2; bad
                                                   values: one line on stderr, exit 2
       mpi_run.py PARBENCH OUT_DIR kill            kills rank 2 of 3 mid-run: the run ends, its
                                                   report is valid, no process is left
       mpi_run.py PARBENCH OUT_DIR spawn N         parbench --ranks=N --kernels=launch: the
                                                   MPI_Comm_spawn probes of 1 and N ranks are
                                                   verified, and no spawned rank is left
       mpi_run.py PARBENCH OUT_DIR hosts           4 ranks on two hosts (the second one made
                                                   by fake_ssh): TCP between them, a one-sided
                                                   counter only where Open MPI has one, a rank
                                                   on the other host killed: the run ends,
                                                   nothing is left. Exit 77 (skipped) where
                                                   no UTS namespace can be made (not root)

Fails (exit 1) with what is wrong. Standard library only."""
import json
import os
import re
import signal
import subprocess
import sys
import time

SELECTION = ["--kernels=sum,sleep,launch", "--sizes=64K", "--calibration-size=256K",
             "--tasks=seed", "--unit=2ms", "--repetitions=2", "--min-time=0.001",
             "--job-timeout=60"]
SPAWNED = "--mpi-spawned-child"  # the first argument of every rank MPI_Comm_spawn started
ROOT_OK = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}


def fail(why):
    print("FAIL:", why)
    sys.exit(1)


def runtime_of(report, backend):
    """The runtime under `backend` as the report records it (context.runtimes)."""
    return report["context"].get("runtimes", {}).get(backend, {})


def processes_with(marker):
    """Processes whose command line holds `marker` (every rank has the report's path)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def parent_name(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            parent = f.read().rsplit(")", 1)[1].split()[1]
        with open(f"/proc/{parent}/comm") as f:
            return f.read().strip()
    except (OSError, IndexError):
        return ""


def rank_of(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            for var in f.read().split(b"\0"):
                if var.startswith(b"OMPI_COMM_WORLD_RANK="):
                    return int(var.split(b"=", 1)[1])
    except OSError:
        pass
    return None


def remove_stale(out):
    """A failed run earlier leaves its report or journal, which the next would refuse."""
    for stale in [out, out + ".partial"]:
        if os.path.exists(stale):
            os.remove(stale)


def spawn_hung(stderr):
    """Whether the run ended because a job of the comm_spawn launch probe ran past its timeout,
    as the supervisor says it: Open MPI 4.1's MPI_Comm_spawn can hang inside PMIx_Lookup (its
    children in PMIx_Init) on a loaded machine, and MPI has no way to give up on a spawn."""
    return re.search(r"parbench: \S*comm_spawn\S*: a job ran past its timeout", stderr) is not None


def run(command, out, extra_env=None, retried=False):
    remove_stale(out)
    env = dict(os.environ, **ROOT_OK, **(extra_env or {}))
    begin = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    print(" ".join(command))
    print(done.stderr[-3000:])
    print(f"exit {done.returncode} after {time.monotonic() - begin:.1f} s")
    if done.returncode != 0 and spawn_hung(done.stderr) and not retried:
        print("note: MPI_Comm_spawn hung (Open MPI, not parbench: see spawn_hung); once more")
        time.sleep(1)  # the hung spawn's children leave after their parent
        return run(command, out, extra_env, retried=True)
    if done.returncode != 0:
        fail(f"exit status {done.returncode}")
    if processes_with(out):
        fail(f"processes left: {processes_with(out)}")
    if processes_with(SPAWNED):
        fail(f"spawned ranks left: {processes_with(SPAWNED)}")
    with open(out) as f:
        return json.load(f)


def check_report(report, ranks, transport):
    mpi = runtime_of(report, "mpi")
    if mpi.get("world_size") != ranks:
        fail(f"context.mpi.world_size is {mpi.get('world_size')}, not {ranks}")
    within = mpi.get("transport", {}).get("within_a_host", "")
    if transport not in within:
        fail(f"transport within a host is '{within}', not {transport}")
    # One host has one clock: an offset is no more than half the round trip it was read with.
    ranks_seen = mpi.get("ranks", [])
    if len(ranks_seen) != ranks or any(abs(r["clock_offset"]) > r["clock_round_trip"] / 2 + 1e-5
                                       for r in ranks_seen):
        fail(f"clock offsets {[(r['clock_offset'], r['clock_round_trip']) for r in ranks_seen]}")
    entries = [b for b in report["benchmarks"] if b["params"]["backend"] == "mpi"
               and b.get("run_type") != "aggregate"]
    kinds = {b["params"]["kernel"] for b in entries}
    if kinds != {"sum", "sleep", "launch"}:
        fail(f"mpi ran {sorted(kinds)}")
    names = {b["name"].split("/process_time")[0] for b in entries}
    for want in [f"launch/mpi/floor/workers:{ranks}", f"launch/mpi/dispatch/workers:{ranks}",
                 f"launch/mpi/barrier/ranks:{ranks}", f"launch/mpi/mpirun_start/ranks:{ranks}",
                 "launch/mpi/comm_spawn/ranks:1", f"launch/mpi/comm_spawn/ranks:{ranks}",
                 f"sleep/mpi/master/workers:{ranks}/tasks:seed/unit:2ms"]:
        if want not in names:
            fail(f"{want} missing (have {sorted(names)})")
    # The sum over one MPI-3 shared-memory window: every rank here is on one host.
    if not any(n.startswith(f"sum/mpi/window/workers:{ranks}/") for n in names):
        fail(f"sum/mpi/window/workers:{ranks} missing (have {sorted(names)})")
    for b in entries:
        if b.get("error_occurred"):
            fail(f"{b['name']}: {b.get('error_message')}")
        if b.get("verified") != 1:
            fail(f"{b['name']} not verified")
        if b["params"]["kernel"] in ("sum", "sleep") and b.get("workers_obtained") != ranks:
            fail(f"{b['name']}: {b.get('workers_obtained')} workers, not {ranks}")
        if b["params"]["kernel"] in ("sum", "sleep"):
            # Every rank says where it ran (rank 0 of a master deal runs no task) and what
            # CPU time it used, which Google Benchmark does not count.
            cpus = b.get("placement", {}).get("cpu_of_worker", [])
            first = 1 if b["params"]["policy"] == "master" else 0
            if len(cpus) != ranks or any(c < 0 for c in cpus[first:]):
                fail(f"{b['name']}: cpu_of_worker {cpus}")
            if ranks > 1 and not b.get("children_cpu_time", 0) > 0:
                fail(f"{b['name']}: children_cpu_time {b.get('children_cpu_time')}")
        timeline = b.get("timeline")
        if b["params"]["kernel"] == "sleep" and timeline:
            workers = {t["worker"] for t in timeline}
            policy = b["params"]["policy"]
            expected = set(range(1, ranks)) if policy == "master" and ranks > 1 else set(range(ranks))
            if policy in ("block", "cyclic") and workers != expected:
                fail(f"{b['name']}: tasks ran on ranks {sorted(workers)}")
            if not workers <= expected:
                fail(f"{b['name']}: tasks ran on ranks {sorted(workers)}")
            # On one time axis: no task starts before the job. Each rank's offset to rank 0's
            # clock is known to within half the round trip it was measured with (a loaded
            # TCP loopback: milliseconds), so that much earlier is still on time.
            slack = 1e-3 + max(r["clock_round_trip"] for r in ranks_seen) / 2
            if min(t["start"] for t in timeline) < -slack:
                fail(f"{b['name']}: a task starts {-min(t['start'] for t in timeline):.6f} s "
                     f"before its job (offsets known to {slack:.6f} s)")
    print(f"ok: {len(entries)} mpi runs on {ranks} ranks over {within}")


def kill_rank_mid_run(command, out, victim_rank, into_run):
    """Runs `command` (its ranks' command lines hold `out`), SIGKILLs rank `victim_rank`
    `into_run` seconds after it started, and waits for the run to end: (seconds from the kill
    to the end, exit status, stderr). Fails if it does not end within 120 s."""
    env = dict(os.environ, **ROOT_OK)
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline:
        time.sleep(0.1)
        # Not rank 0's guard (forked by it, with its command line and environment).
        victim = next((p for p in processes_with(out) if rank_of(p) == victim_rank
                       and parent_name(p) != "parbench"), None)
    if victim is None:
        os.killpg(process.pid, signal.SIGKILL)
        fail(f"rank {victim_rank} never started")
    time.sleep(into_run)
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    try:
        _, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        fail(f"the run did not end within 120 s of killing rank {victim_rank}")
    return time.monotonic() - killed_at, process.returncode, err


def kill_mid_run(parbench, out_dir):
    out = os.path.join(out_dir, "killed.json")
    remove_stale(out)
    command = [parbench, "--ranks=3", "--backends=serial,thread,mpi", "--kernels=sleep",
               "--tasks=seed", "--unit=10ms", "--workers=3", "--repetitions=12",
               "--calibration-size=256K", f"--out={out}"]
    # 2.5 s: into the benchmarks, the calibration is over.
    ended, status, err = kill_rank_mid_run(command, out, 2, 2.5)
    print(err[-3000:])
    left = processes_with(out)
    try:
        with open(out) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"no valid report: {e}")
    errors = [b for b in report["benchmarks"] if b.get("error_occurred")]
    print(f"run ended {ended:.2f} s after the kill with exit {status}; report complete: "
          f"{report['context'].get('complete')}; {len(report['benchmarks'])} entries, "
          f"{len(errors)} with an error; processes left: {len(left)}")
    for b in errors[:3]:
        print("  ", b["name"], ":", b.get("error_message"))
    if left:
        fail(f"processes left: {left}")
    if report["context"].get("complete") is not True:
        fail("the report is not complete: rank 0 did not finish the run")
    # As for every backend, a run that finished its report exits 0: the report says what failed.
    if status != 0:
        fail(f"exit status {status} although the run finished its report")
    if not errors or not all(b["params"]["backend"] == "mpi" for b in errors):
        fail("the killed rank is no mpi benchmark's error")
    if not any("died" in b.get("error_message", "") for b in errors):
        fail("no error says a rank died")
    if not any(b["params"]["backend"] == "thread" and not b.get("error_occurred")
               for b in report["benchmarks"]):
        fail("the other backends' results are lost")


def hybrid(parbench, out_dir, ranks):
    for bad in ["0", "abc", "-1", "5000"]:
        done = subprocess.run([parbench, f"--threads-per-rank={bad}", "--kernels=sum"],
                              capture_output=True, text=True, timeout=60)
        lines = done.stderr.strip().splitlines()
        if done.returncode != 2 or len(lines) != 1:
            fail(f"--threads-per-rank={bad}: exit {done.returncode}, stderr {lines}")
    out = os.path.join(out_dir, f"hybrid-{ranks}.json")
    command = ["mpirun", "-np", str(ranks), "--oversubscribe", "--bind-to", "none", parbench,
               "--backends=mpi", "--kernels=sum", "--sizes=64K", "--calibration-size=256K",
               "--repetitions=2", "--min-time=0.001", f"--workers={ranks}",
               "--threads-per-rank=2", f"--out={out}"]
    report = run(command, out)
    entries = [b for b in report["benchmarks"] if b["params"]["backend"] == "mpi"]
    policies = {b["params"]["policy"] for b in entries}
    if policies != {"block", "cyclic", "window"}:
        fail(f"policies run: {sorted(policies)}")
    for b in entries:
        if b.get("error_occurred") or b.get("verified") != 1:
            fail(f"{b['name']}: {b.get('error_message', 'not verified')}")
        if b["params"].get("threads_per_rank") != 2:
            fail(f"{b['name']}: threads_per_rank {b['params'].get('threads_per_rank')}")
    print(f"ok: {len(entries)} mpi sums on {ranks} ranks x 2 threads")


def spawn(parbench, out_dir, ranks):
    """MPI_Comm_spawn per job: parbench starting mpirun itself, launch benchmarks only."""
    if processes_with(SPAWNED):
        fail(f"spawned ranks running before the test: {processes_with(SPAWNED)}")
    out = os.path.join(out_dir, f"spawn-{ranks}.json")
    command = [parbench, f"--ranks={ranks}", "--backends=mpi", "--kernels=launch",
               "--repetitions=2", "--min-time=0.001", "--calibration-size=256K", f"--out={out}"]
    report = run(command, out)  # fails if a rank, spawned or not, is left
    entries = [b for b in report["benchmarks"] if b["params"]["policy"] == "comm_spawn"
               and b.get("run_type") != "aggregate"]
    sizes = {b["params"]["workers"] for b in entries}
    if not {1, ranks} <= sizes:
        fail(f"comm_spawn ran for {sorted(sizes)} ranks, not 1 and {ranks}")
    for b in entries:
        if b.get("error_occurred") or b.get("verified") != 1:
            fail(f"{b['name']}: {b.get('error_message', 'not verified')}")
        if b["params"]["launch"] != "spawn" or "children_cpu_time" in b:
            fail(f"{b['name']}: launch {b['params']['launch']}, "
                 f"children_cpu_time {b.get('children_cpu_time')}")
    spawn_context = runtime_of(report, "mpi").get("comm_spawn", {})
    if spawn_context.get("measured") is not True:
        fail(f"context.mpi.comm_spawn is {spawn_context}")
    times = {b["params"]["workers"]: b["real_time"] for b in entries}
    print(f"ok: {len(entries)} comm_spawn runs, {times} {entries[0]['time_unit']}; none left")


FAKE_SSH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_ssh")
OTHER_HOST = "parbench-other-host"


def two_hosts_mpirun(out_dir, ranks, here=None):
    """mpirun over this host and OTHER_HOST (fake_ssh): `here` ranks (half by default) here."""
    here = ranks // 2 if here is None else here
    hostfile = os.path.join(out_dir, f"hosts-{here}")
    with open(hostfile, "w") as f:
        f.write(f"localhost slots={here}\n{OTHER_HOST} slots={ranks - here}\n")
    return ["mpirun", "--hostfile", hostfile, "-np", str(ranks), "--mca", "plm_rsh_agent",
            FAKE_SSH, "--mca", "plm_rsh_no_tree_spawn", "1", "--bind-to", "none"]


def entries_of(report):
    return [b for b in report["benchmarks"] if b["params"]["backend"] == "mpi"
            and b.get("run_type") != "aggregate"]


def check_two_hosts(report, counter_everywhere, spawn_safe):
    mpi = runtime_of(report, "mpi")
    hosts = [r["host"] for r in mpi["ranks"]]
    if hosts[2:] != [OTHER_HOST, OTHER_HOST] or OTHER_HOST in hosts[:2]:
        fail(f"ranks' hosts {hosts}")
    transport = mpi["transport"]
    if transport.get("hosts") != 2 or "TCP" not in transport.get("between_hosts", ""):
        fail(f"transport {transport}")
    if counter_everywhere == ("one_sided" in transport):
        fail(f"one_sided: {transport.get('one_sided')}")
    # How each rank sees rank 0 die: its pid on rank 0's host, a lifeline on the other.
    watches = [r.get("watches_rank_0_by", "") for r in mpi["ranks"][1:]]
    if "pid" not in watches[0] or not all("lifeline" in w for w in watches[1:]):
        fail(f"ranks watch rank 0 by {watches}")
    names = set()
    for b in entries_of(report):
        name = b["name"].split("/process_time")[0]
        names.add(name)
        spans = b["params"]["workers"] > 2
        policy = b["params"]["policy"]
        # What cannot be had across hosts says so, and why.
        why = ("one host" if policy == "window" else
               "OMPI_MCA_osc=sm,pt2pt" if policy in ("queue", "lpt") and not counter_everywhere
               else None)
        if policy == "comm_spawn" and not spawn_safe:
            if not b.get("error_occurred") or "PMIX_MCA_gds=hash" not in b["error_message"]:
                fail(f"{name}: {b.get('error_message', 'no error')}")
        elif spans and why is not None:
            if not b.get("error_occurred") or why not in b["error_message"]:
                fail(f"{name}: {b.get('error_message', 'no error')}")
        elif b.get("error_occurred") or b.get("verified") != 1:
            fail(f"{name}: {b.get('error_message', 'not verified')}")
    for want in ["sum/mpi/window/workers:2/", "sleep/mpi/queue/workers:4/",
                 "launch/mpi/comm_spawn/ranks:4"]:
        if not any(n.startswith(want) for n in names):
            fail(f"{want} missing: {sorted(names)}")


def two_hosts(parbench, out_dir):
    if subprocess.run(["unshare", "--uts", "true"], capture_output=True).returncode != 0:
        print("SKIP: no UTS namespace can be made here (needs root): no second host")
        sys.exit(77)
    selection = ["--backends=mpi", "--kernels=sum,sleep,launch", "--sizes=64K",
                 "--calibration-size=256K", "--tasks=seed", "--unit=2ms", "--repetitions=2",
                 "--min-time=0.001", "--workers=2,4"]
    out = os.path.join(out_dir, "two-hosts.json")
    check_two_hosts(run(two_hosts_mpirun(out_dir, 4) + [parbench] + selection + [f"--out={out}"],
                        out), counter_everywhere=False, spawn_safe=False)
    # Open MPI's one-sided component for TCP and PMIx's setting for a spawn that does not hang
    # now and then, as the error messages say.
    out = os.path.join(out_dir, "two-hosts-osc.json")
    check_two_hosts(run(two_hosts_mpirun(out_dir, 4) + ["-x", "OMPI_MCA_osc=sm,pt2pt", parbench]
                        + selection + [f"--out={out}"], out, {"PMIX_MCA_gds": "hash"}),
                    counter_everywhere=True, spawn_safe=True)
    print("ok: two hosts, with and without a one-sided component over TCP")
    # Rank 0 alone on mpirun's host: its guard must let a good run end well.
    out = os.path.join(out_dir, "two-hosts-rank-0-alone.json")
    run(two_hosts_mpirun(out_dir, 4, here=1) + ["--enable-recovery", parbench, "--backends=mpi",
        "--kernels=sleep", "--tasks=seed", "--unit=2ms", "--repetitions=2", "--workers=4",
        "--policies=block", "--calibration-size=256K", f"--out={out}"], out)
    print("ok: rank 0 alone on mpirun's host, a good run ends with exit 0")
    kill_on_other_host(parbench, out_dir)


def processes_left_after_mpirun(out, within=10.0):
    """The ranks and daemons still alive `within` seconds after mpirun ended, and how long the
    last one took to leave. The other host's daemon and ranks leave after mpirun, each when its
    own lifeline or socket says so; on a loaded machine that takes more than a moment."""
    start = time.monotonic()
    while True:
        left = processes_with(out) + processes_with(FAKE_SSH)
        waited = time.monotonic() - start
        if not left or waited >= within:
            return left, waited
        time.sleep(0.1)


def kill_on_two_hosts(parbench, out_dir, victim_rank, into_run, policies, *options,
                      mpirun_options=(), here=None):
    """One rank of 4 on two hosts killed `into_run` seconds into a run under --enable-recovery:
    the path of the run's report (or of its journal, when rank 0 was the one)."""
    out = os.path.join(out_dir, f"two-hosts-killed-{victim_rank}-{here or 2}.json")
    remove_stale(out)
    command = two_hosts_mpirun(out_dir, 4, here) + ["--enable-recovery", *mpirun_options, parbench,
               "--backends=mpi", "--kernels=sleep", "--tasks=seed", "--unit=10ms",
               "--workers=4", f"--policies={policies}", "--repetitions=30", "--job-timeout=10",
               "--calibration-size=256K", f"--out={out}", *options]
    ended, status, err = kill_rank_mid_run(command, out, victim_rank, into_run)
    print(err[-2000:])
    left, gone_after = processes_left_after_mpirun(out)
    print(f"rank {victim_rank} killed: mpirun ended {ended:.1f} s after, exit {status}; "
          f"the last process left {gone_after:.1f} s after mpirun; processes left: {left}")
    if left:
        fail(f"processes left: {left}")
    if status == 0:
        fail("mpirun's exit status is 0 although a rank was lost")
    return out


def kill_on_other_host(parbench, out_dir):
    """Rank 2, on the other host: rank 0 cannot see its process, only its silence (--job-timeout
    bounds it); then rank 0, the driver: the ranks on both hosts see it gone."""
    with open(kill_on_two_hosts(parbench, out_dir, 2, 3, "block,cyclic,master")) as f:
        report = json.load(f)
    errors = [b for b in entries_of(report) if b.get("error_occurred")]
    print(f"  {len(report['benchmarks'])} entries, {len(errors)} with an error")
    if report["context"].get("complete") is not True:
        fail("the report is not complete: rank 0 did not finish the run")
    if not errors or not any("no answer" in b["error_message"] for b in errors):
        fail("no error says a rank stopped answering")
    # One benchmark at a time, so that some finish (4 s each) before rank 0 is killed, in the
    # queue's: the ranks then wait in one-sided calls on rank 0's counter, which no poll of
    # theirs can leave; their watch of rank 0 ends them.
    journal = kill_on_two_hosts(parbench, out_dir, 0, 8, "block,queue", "--interleave=no",
                                mpirun_options=["-x", "OMPI_MCA_osc=sm,pt2pt"]) + ".partial"
    with open(journal) as f:
        kept = [json.loads(line) for line in f if line.strip()][1:]  # after the run's header
    print(f"  the journal keeps {len(kept)} entries")
    if not kept:
        fail("the journal keeps no finished benchmark")
    # Rank 0 alone on mpirun's host: no other rank there can end mpirun, a guard of rank 0's does.
    kill_on_two_hosts(parbench, out_dir, 0, 3, "block", here=1)


def main():
    parbench, out_dir, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out_dir, exist_ok=True)
    if mode == "kill":
        kill_mid_run(parbench, out_dir)
        return
    if mode == "hosts":
        two_hosts(parbench, out_dir)
        return
    ranks = int(sys.argv[4])
    if mode == "spawn":
        spawn(parbench, out_dir, ranks)
        return
    if mode == "hybrid":
        hybrid(parbench, out_dir, ranks)
        return
    tcp = len(sys.argv) > 5 and sys.argv[5] == "tcp"
    out = os.path.join(out_dir, f"{mode}-{ranks}{'-tcp' if tcp else ''}.json")
    selection = SELECTION + ["--backends=serial,mpi", f"--workers={ranks}", f"--out={out}"]
    if mode == "relaunch":
        command = [parbench, f"--ranks={ranks}"] + selection
    else:
        command = ["mpirun", "-np", str(ranks), "--oversubscribe", "--bind-to", "none"]
        if tcp:
            command += ["--mca", "btl", "tcp,self"]
        command += [parbench] + selection
    check_report(run(command, out), ranks, "TCP" if tcp else "shared memory")


if __name__ == "__main__":
    main()
