#!/usr/bin/env python3
"""Runs one measured Flink job for ``weir-bench`` (Apache Flink as a baseline, issue 15).

One JVM (PyFlink's gateway) per call. It starts a local Flink cluster (a ``MiniCluster`` with
one task manager of ``--parallelism`` slots) once, then submits every job to it over its REST
address, as a client submits to a session cluster, so neither the JVM's nor the cluster's
start-up is in the figures. The job file (JSON, written by ``weir-bench``) holds three lists of
SQL statements, each run in a fresh ``TableEnvironment``, in this order:

* ``warmup``: the same query over a small prefix of the input, into a ``blackhole`` table:
  loads the planner's and the operators' classes and lets the JIT compile the hot paths.
* ``timed``: the query over the whole input into a ``blackhole`` table; the figure reported.
* ``answer`` (optional): the query once more into a ``filesystem`` CSV table that
  ``weir-bench`` reads back and compares with Weir's answer. Not timed.

Prints one JSON line on stdout::

    {"time_s": ..., "submit_s": ..., "cpu_s": ..., "peak_rss_mib": ..., "startup_s": ...,
     "warmup_s": ..., "answer_s": ..., "jvm_pid": ..., "flink": "2.3.0", "cpu_method": "..."}

``time_s`` is the wall time from ``execute_sql`` of the ``INSERT`` (planning and submission
included) to the job's end; ``submit_s`` the part until ``execute_sql`` returned;
``net_runtime_s`` Flink's own account of the job's run time. ``cpu_s`` is the JVM's user +
system CPU time over ``time_s``, all its threads (planner, task threads, GC, JIT), read from
``/proc/<jvm pid>/stat`` before and after. ``peak_rss_mib`` is the JVM's
``VmHWM`` after the timed job, the high-water mark having been reset (``clear_refs`` 5) after
the warm-up, so it is the job's peak (JVM heap and code included); -1 when the reset is not
permitted and the figure would include the warm-up.

    flink_driver.py --job job.json --mode batch|streaming --parallelism 2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK")
CPU_METHOD = "JVM process utime+stime from /proc/<pid>/stat, before and after the job"


def jvm_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far, all threads."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        # The command name (field 2) may hold spaces: split after its closing parenthesis.
        fields = f.read().rsplit(")", 1)[1].split()
    # Fields 14 and 15 (utime, stime) are the 12th and 13th after the name.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def reset_peak_rss(pid: int) -> bool:
    """Resets the peak RSS (``VmHWM``) of ``pid`` to its current RSS; False if not permitted."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mib(pid: int) -> float:
    """``VmHWM`` of ``pid`` in MiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM")


def start_cluster(parallelism: int) -> tuple[Any, str, int]:
    """Starts a local cluster of one task manager with ``parallelism`` slots in the JVM.

    Returns it and its REST host and port."""
    from pyflink.java_gateway import get_gateway

    jvm = get_gateway().jvm
    conf = jvm.org.apache.flink.configuration.Configuration()
    conf.setString("rest.bind-port", "0")  # any free port
    builder = jvm.org.apache.flink.runtime.minicluster.MiniClusterConfiguration.Builder()
    config = builder.setConfiguration(conf).setNumTaskManagers(1).setNumSlotsPerTaskManager(parallelism).build()
    cluster = jvm.org.apache.flink.runtime.minicluster.MiniCluster(config)
    cluster.start()
    uri = cluster.getRestAddress().get()
    return cluster, str(uri.getHost()), int(uri.getPort())


def table_env(mode: str, parallelism: int, rest: tuple[str, int]) -> Any:
    """A fresh TableEnvironment in ``mode`` whose jobs run on the cluster at ``rest``."""
    from pyflink.table import EnvironmentSettings, TableEnvironment

    settings = EnvironmentSettings.in_batch_mode() if mode == "batch" else EnvironmentSettings.in_streaming_mode()
    env = TableEnvironment.create(settings)
    config = env.get_config()
    config.set("execution.target", "remote")
    config.set("rest.address", rest[0])
    config.set("rest.port", str(rest[1]))
    config.set("parallelism.default", str(parallelism))
    config.set("pipeline.object-reuse", "true")  # as the Nexmark suite configures Flink
    return env


def run_statements(mode: str, parallelism: int, rest: tuple[str, int], statements: list[str], pid: int) -> dict[str, float]:
    """Runs ``statements`` in a fresh environment; the last must be the job's INSERT.

    Returns, from executing the INSERT to the job's end, ``time_s`` (wall) and ``cpu_s`` (the
    JVM's); ``submit_s``, the part until ``execute_sql`` returned (planning and submission);
    and ``net_runtime_s``, Flink's own account of the job's run time
    (``JobExecutionResult.getNetRuntime``)."""
    if not statements:
        raise ValueError("no statements")
    env = table_env(mode, parallelism, rest)
    for statement in statements[:-1]:
        env.execute_sql(statement)
    start = time.perf_counter()
    cpu_before = jvm_cpu_s(pid)
    result = env.execute_sql(statements[-1])
    submitted = time.perf_counter()
    client = result.get_job_client()
    if client is None:
        raise RuntimeError(f"the last statement started no job: {statements[-1][:80]}")
    net_runtime_ms = client.get_job_execution_result().result().get_net_runtime()
    end = time.perf_counter()
    cpu_s = jvm_cpu_s(pid) - cpu_before
    return {"submit_s": submitted - start, "time_s": end - start, "cpu_s": cpu_s, "net_runtime_s": net_runtime_ms / 1000.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--job", required=True, help="JSON file with the warmup, timed and answer statements")
    parser.add_argument("--mode", choices=["batch", "streaming"], required=True)
    parser.add_argument("--parallelism", type=int, required=True)
    args = parser.parse_args()
    if args.parallelism < 1:
        parser.error("--parallelism must be at least 1")
    with open(args.job, encoding="utf-8") as f:
        job = json.load(f)
    for key in ("warmup", "timed"):
        if not isinstance(job.get(key), list) or not job[key]:
            parser.error(f"{args.job}: `{key}` must be a non-empty list of SQL statements")

    started = time.perf_counter()
    import pyflink
    from pyflink.java_gateway import get_gateway

    pid = int(get_gateway().jvm.java.lang.ProcessHandle.current().pid())
    cluster, host, port = start_cluster(args.parallelism)
    startup_s = time.perf_counter() - started

    def run(key: str) -> dict[str, float]:
        return run_statements(args.mode, args.parallelism, (host, port), job[key], pid)

    warmup = run("warmup")
    reset = reset_peak_rss(pid)
    timed = run("timed")
    peak = peak_rss_mib(pid) if reset else -1.0
    answer = run("answer") if job.get("answer") else None
    cluster.close()
    out = {
        **timed,
        "peak_rss_mib": peak,
        "startup_s": startup_s,
        "warmup_s": warmup["submit_s"] + warmup["time_s"],
        "answer_s": answer and answer["submit_s"] + answer["time_s"],
        "jvm_pid": pid,
        "flink": getattr(pyflink, "__version__", "unknown"),
        "cpu_method": CPU_METHOD,
    }
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
