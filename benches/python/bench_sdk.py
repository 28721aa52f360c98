"""Python SDK benchmark: the same small programs on Weir, PyFlink and Bytewax.

Programs (N input records, every one through Python code):

* ``table_wc``  — Table-API word count: N lines -> a Python UDTF splitting them -> group by word
  -> count; the result rows are collected.
* ``ds_reduce`` — DataStream ``map -> key_by -> reduce`` in batch mode: N integers -> ``(x % 1000, 1)``
  -> per-key sum; the 1000 final records are collected.
* ``win_reduce`` / ``win_aggregate`` / ``win_process`` — DataStream event-time windows (Weir only):
  N integers -> ``(x % 100, 1, x)`` with event time ``x`` ms and monotonous watermarks ->
  ``key_by`` -> 10 s tumbling windows -> ``reduce`` (sum), ``aggregate`` (an AggregateFunction
  counting) or ``process`` (a ProcessWindowFunction counting the elements) in streaming mode; the
  10,000 window results are collected. ``win_baseline`` is the same pipeline without the
  window (the stamped, watermarked records through a filter that drops them all): the window
  operator's own cost per record is a window program's time minus the baseline's.
  ``win_trigger`` keys the same records into global windows with ``PurgingTrigger.of(
  CountTrigger.of(100))`` and a reduce (Flink's count windows written with a trigger; 10,000
  results), a kind of window the engine runs natively since the triggers moved into it.
  (The SDK's Python window operator, which ``--python-windows`` used to select, is gone: its
  figures are in README.md.)
* ``ks_pass`` / ``ks_echo`` / ``ks_state`` / ``ks_timer`` — DataStream process functions (Weir
  only, streaming mode): N integers -> ``key_by(x % 1000)`` -> a ``KeyedProcessFunction`` that
  yields only the last 1000 values (``ks_pass``: the cost of calling it), yields each value
  (``ks_echo``, N results collected), counts per key in a ``ValueState`` (``ks_state``; a key's
  count is emitted at its last element), or counts per key and 10 s of event time (``x`` ms,
  monotonous watermarks, key ``x % 100``) in a ``ValueState`` with an event-time timer per window
  that emits and clears the count (``ks_timer``; 10,000 results). ``ks_baseline`` is the source
  and one Python call per record (a filter dropping them all): a program's time minus it is the
  key selector's and the process function's cost.
* ``udf_overhead`` — cost of one Python scalar UDF call: ``SUM(identity(x) + ... + identity(x))``
  (10 calls per row) minus ``SUM(x + ... + x)`` over N/10 rows, divided by N calls (Table API;
  Bytewax has no Table API and is skipped).

Usage::

    python benches/python/bench_sdk.py                    # every engine whose venv is there
    python benches/python/bench_sdk.py --engine weir -n 1000000 --repeat 5
    python benches/python/bench_sdk.py --engine weir --only win_reduce --only win_aggregate --only win_process

Each engine runs in its own interpreter (``$WEIR_VENV`` for Weir, ``$HOME/.cache/weir/venv-bench``
for PyFlink and Bytewax); the driver prints median wall times, per-record microseconds and the
ratios against Weir measured in the same run. Programs run at parallelism 1 on every engine
(Weir also at 2 workers). Wall time includes building the program and collecting its result,
not interpreter or JVM start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

VOCABULARY = [f"w{i}" for i in range(1000)]


def lines(n: int) -> list[str]:
    """N lines of 1 to 3 words from a 1000-word vocabulary (seeded)."""
    rng = random.Random(42)
    return [" ".join(rng.choice(VOCABULARY) for _ in range(1 + i % 3)) for i in range(n)]


def expected_words(n: int) -> int:
    """Total words in ``lines(n)``: a check that every engine counted everything."""
    return sum(1 + i % 3 for i in range(n))


CALLS = 10


def calls(identity: Any, x: Any, with_udf: bool) -> Any:
    """``identity(x) + ... + identity(x)`` (``CALLS`` terms), or the same sum of plain ``x``:
    N/CALLS rows then make N UDF calls, and the difference of the two is the calls' cost."""
    term = (lambda: identity(x)) if with_udf else (lambda: x)
    out = term()
    for _ in range(CALLS - 1):
        out = out + term()
    return out


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median wall seconds of ``repeat`` runs, their median CPU seconds (every thread of the
    process: less sensitive to a loaded machine than wall time), and the last result."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu), result


# ----------------------------------------------------------------------------- Weir


def weir_programs(n: int, workers: int) -> dict[str, Callable[[], Any]]:
    from weir.common import Types
    from weir.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
    from weir.table import DataTypes, EnvironmentSettings, TableEnvironment, udf, udtf
    from weir.table.expressions import col

    data = lines(n)

    @udtf(result_types=[DataTypes.STRING()])
    def split(row: Any) -> Any:
        return row[0].split()

    @udf(result_type=DataTypes.BIGINT())
    def identity(x: int) -> int:
        return x

    def t_env() -> Any:
        env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
        env.get_config().set("parallelism.default", str(workers))
        return env

    def table_wc() -> int:
        env = t_env()
        t = env.from_elements([(line,) for line in data], ["line"])
        counts = t.flat_map(split).alias("word").group_by(col("word")).select(col("word"), col("word").count.alias("n"))
        return sum(r.n for r in counts.execute().collect())

    def ds_reduce() -> int:
        env = StreamExecutionEnvironment.get_execution_environment()
        env.set_parallelism(workers)
        env.set_runtime_mode(RuntimeExecutionMode.BATCH)
        ds = env.from_collection(range(n), type_info=Types.LONG())
        out = ds.map(lambda x: (x % 1000, 1)).key_by(lambda t: t[0]).reduce(lambda a, b: (a[0], a[1] + b[1]))
        return sum(t[1] for t in out.execute_and_collect())

    def numbers(with_udf: bool) -> Callable[[], int]:
        rows = [(i,) for i in range(n // CALLS)]

        def run() -> int:
            env = t_env()
            t = env.from_elements(rows, DataTypes.ROW([DataTypes.FIELD("x", DataTypes.BIGINT())]))
            return list(t.select(calls(identity, col("x"), with_udf).sum.alias("s")).execute().collect())[0].s

        return run

    return {"table_wc": table_wc, "ds_reduce": ds_reduce, "sum_udf": numbers(True), "sum_plain": numbers(False), **weir_windows(n, workers),
            **weir_process(n, workers)}


def weir_windows(n: int, workers: int) -> dict[str, Callable[[], Any]]:
    """The window programs (see the module): key ``x % 100``, event time ``x`` ms, 10 s windows."""
    from weir.common import Time, Types, WatermarkStrategy
    from weir.common.watermark_strategy import TimestampAssigner
    from weir.datastream import StreamExecutionEnvironment
    from weir.datastream.functions import AggregateFunction, ProcessWindowFunction
    from weir.datastream.window import CountTrigger, GlobalWindows, PurgingTrigger, TumblingEventTimeWindows

    class Stamp(TimestampAssigner):
        def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
            return int(value[2])

    class Count(AggregateFunction):
        def create_accumulator(self) -> int:
            return 0

        def add(self, value: Any, accumulator: int) -> int:
            return accumulator + value[1]

        def get_result(self, accumulator: int) -> Any:
            return (0, accumulator)

        def merge(self, a: int, b: int) -> int:
            return a + b

    class CountElements(ProcessWindowFunction):
        def process(self, key: Any, context: Any, elements: Any) -> Any:
            yield (key, sum(e[1] for e in elements))

    def program(kind: str) -> Callable[[], int]:
        def run() -> int:
            env = StreamExecutionEnvironment.get_execution_environment()
            env.set_parallelism(workers)
            ds = env.from_collection(range(n), type_info=Types.LONG()).map(lambda x: (x % 100, 1, x))
            stamped = ds.assign_timestamps_and_watermarks(WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Stamp()))
            windows = stamped.key_by(lambda t: t[0]).window(TumblingEventTimeWindows.of(Time.seconds(10)))
            if kind == "baseline":
                return n + len(list(stamped.filter(lambda t: t[1] == 0).execute_and_collect()))
            if kind == "trigger":
                counted = stamped.key_by(lambda t: t[0]).window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(100)))
                out = counted.reduce(lambda a, b: (a[0], a[1] + b[1], a[2]))
            elif kind == "reduce":
                out = windows.reduce(lambda a, b: (a[0], a[1] + b[1], a[2]))
            elif kind == "aggregate":
                out = windows.aggregate(Count())
            else:
                out = windows.process(CountElements())
            return sum(t[1] for t in out.execute_and_collect())

        return run

    return {"win_baseline": program("baseline"), "win_reduce": program("reduce"), "win_aggregate": program("aggregate"), "win_process": program("process"),
            "win_trigger": program("trigger")}


def weir_process(n: int, workers: int) -> dict[str, Callable[[], Any]]:
    """The process-function programs (see the module): key ``x % 1000`` (``ks_timer``: ``x % 100``,
    event time ``x`` ms), streaming mode."""
    from weir.common import Types, WatermarkStrategy
    from weir.common.watermark_strategy import TimestampAssigner
    from weir.datastream import KeyedProcessFunction, StreamExecutionEnvironment
    from weir.datastream.state import ValueStateDescriptor

    class Stamp(TimestampAssigner):
        def extract_timestamp(self, value: Any, record_timestamp: int) -> int:
            return int(value)

    class Echo(KeyedProcessFunction):
        def process_element(self, value: Any, ctx: Any) -> Any:
            yield value

    class Last(KeyedProcessFunction):
        def process_element(self, value: Any, ctx: Any) -> Any:
            if value >= n - 1000:
                yield value

    class Count(KeyedProcessFunction):
        """Counts per key in a ValueState; emits a key's count at its last element."""

        def open(self, runtime_context: Any) -> None:
            self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))

        def process_element(self, value: Any, ctx: Any) -> Any:
            count = (self.count.value() or 0) + 1
            self.count.update(count)
            if value >= n - 1000:
                yield count

    class CountPerWindow(KeyedProcessFunction):
        """A tumbling 10 s count written as a process function: ValueState + an event-time timer."""

        def open(self, runtime_context: Any) -> None:
            self.count = runtime_context.get_state(ValueStateDescriptor("count", Types.LONG()))

        def process_element(self, value: Any, ctx: Any) -> None:
            self.count.update((self.count.value() or 0) + 1)
            ctx.timer_service().register_event_time_timer(ctx.timestamp() // 10000 * 10000 + 9999)

        def on_timer(self, timestamp: int, ctx: Any) -> Any:
            # Rows are handed over as they arrive and timers fire after their batch: an earlier
            # timer of the key may have emitted this window's count already.
            count = self.count.value()
            if count is not None:
                yield count
                self.count.clear()

    def program(kind: str) -> Callable[[], int]:
        def run() -> int:
            env = StreamExecutionEnvironment.get_execution_environment()
            env.set_parallelism(workers)
            ds = env.from_collection(range(n), type_info=Types.LONG())
            if kind == "baseline":
                return n + len(list(ds.filter(lambda x: x % 1000 < 0).execute_and_collect()))
            if kind == "pass":
                return n - 1000 + len(list(ds.key_by(lambda x: x % 1000).process(Last()).execute_and_collect()))
            if kind == "echo":
                return len(list(ds.key_by(lambda x: x % 1000).process(Echo()).execute_and_collect()))
            if kind == "state":
                return sum(ds.key_by(lambda x: x % 1000).process(Count()).execute_and_collect())
            stamped = ds.assign_timestamps_and_watermarks(WatermarkStrategy.for_monotonous_timestamps().with_timestamp_assigner(Stamp()))
            return sum(stamped.key_by(lambda x: x % 100).process(CountPerWindow()).execute_and_collect())

        return run

    return {f"ks_{kind}": program(kind) for kind in ("baseline", "pass", "echo", "state", "timer")}


# ----------------------------------------------------------------------------- PyFlink


def pyflink_programs(n: int, workers: int) -> dict[str, Callable[[], Any]]:
    from pyflink.common import Types
    from pyflink.datastream import RuntimeExecutionMode, StreamExecutionEnvironment
    from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
    from pyflink.table.expressions import col
    from pyflink.table.udf import udf, udtf

    data = lines(n)

    @udtf(result_types=[DataTypes.STRING()])
    def split(row: Any) -> Any:
        yield from row[0].split()

    @udf(result_type=DataTypes.BIGINT())
    def identity(x: int) -> int:
        return x

    t_env = TableEnvironment.create(EnvironmentSettings.in_batch_mode())
    t_env.get_config().set("parallelism.default", str(workers))
    s_env = StreamExecutionEnvironment.get_execution_environment()
    s_env.set_parallelism(workers)
    s_env.set_runtime_mode(RuntimeExecutionMode.BATCH)

    def table_wc() -> int:
        t = t_env.from_elements([(line,) for line in data], ["line"])
        counts = t.flat_map(split).alias("word").group_by(col("word")).select(col("word"), col("word").count.alias("n"))
        with counts.execute().collect() as results:
            return sum(r[1] for r in results)

    def ds_reduce() -> int:
        ds = s_env.from_collection(list(range(n)), type_info=Types.LONG())
        pairs = ds.map(lambda x: (x % 1000, 1), output_type=Types.TUPLE([Types.LONG(), Types.LONG()]))
        out = pairs.key_by(lambda t: t[0]).reduce(lambda a, b: (a[0], a[1] + b[1]))
        with out.execute_and_collect() as results:
            return sum(t[1] for t in results)

    def numbers(with_udf: bool) -> Callable[[], int]:
        rows = [(i,) for i in range(n // CALLS)]

        def run() -> int:
            t = t_env.from_elements(rows, DataTypes.ROW([DataTypes.FIELD("x", DataTypes.BIGINT())]))
            with t.select(calls(identity, col("x"), with_udf).sum.alias("s")).execute().collect() as results:
                return [r[0] for r in results][0]

        return run

    return {"table_wc": table_wc, "ds_reduce": ds_reduce, "sum_udf": numbers(True), "sum_plain": numbers(False)}


# ----------------------------------------------------------------------------- Bytewax


def bytewax_programs(n: int, workers: int) -> dict[str, Callable[[], Any]]:
    import bytewax.operators as op
    from bytewax.dataflow import Dataflow
    from bytewax.testing import TestingSink, TestingSource, run_main

    data = lines(n)

    def table_wc() -> int:
        out: list[tuple[str, int]] = []
        flow = Dataflow("wc")
        inp = op.input("lines", flow, TestingSource(data))
        words = op.flat_map("split", inp, lambda line: line.split())
        counts = op.count_final("count", words, lambda w: w)
        op.output("out", counts, TestingSink(out))
        run_main(flow)
        return sum(c for _, c in out)

    def ds_reduce() -> int:
        out: list[tuple[str, tuple[int, int]]] = []
        flow = Dataflow("reduce")
        inp = op.input("numbers", flow, TestingSource(range(n)))
        pairs = op.map("pair", inp, lambda x: (x % 1000, 1))
        keyed = op.key_on("key", pairs, lambda t: str(t[0]))
        reduced = op.reduce_final("sum", keyed, lambda a, b: (a[0], a[1] + b[1]))
        op.output("out", reduced, TestingSink(out))
        run_main(flow)
        return sum(v[1] for _, v in out)

    return {"table_wc": table_wc, "ds_reduce": ds_reduce}


PROGRAMS = {"weir": weir_programs, "pyflink": pyflink_programs, "bytewax": bytewax_programs}


def measure(engine: str, n: int, repeat: int, workers: int, only: list[str] | None = None) -> dict[str, Any]:
    """Runs every program of ``engine`` (or those in ``only``); median seconds per program, and checks."""
    def chosen(programs: dict[str, Callable[[], Any]]) -> dict[str, Callable[[], Any]]:
        return {k: v for k, v in programs.items() if not only or k in only or (k.startswith("sum_") and "udf_overhead" in only)}

    for warm_up in chosen(PROGRAMS[engine](1000, workers)).values():
        warm_up()  # imports, JVM classes, the Python worker harness
    programs = chosen(PROGRAMS[engine](n, workers))
    results: dict[str, Any] = {"engine": engine, "n": n, "workers": workers, "repeat": repeat}
    rows = n // CALLS
    checks = {"table_wc": expected_words(n), "ds_reduce": n, "sum_udf": CALLS * rows * (rows - 1) // 2, "sum_plain": CALLS * rows * (rows - 1) // 2,
              "win_baseline": n, "win_reduce": n, "win_aggregate": n, "win_process": n, "win_trigger": n,
              "ks_baseline": n, "ks_pass": n, "ks_echo": n, "ks_state": n, "ks_timer": n}
    results["cpu"] = {}
    for name, run in programs.items():
        seconds, cpu, value = timed(run, repeat)
        if value != checks[name]:
            raise SystemExit(f"{engine} {name}: wrong result {value}, expected {checks[name]}")
        results[name] = seconds
        results["cpu"][name] = cpu
    return results


# ----------------------------------------------------------------------------- driver


def interpreters() -> dict[str, Path]:
    home = Path.home() / ".cache" / "weir"
    weir = Path(os.environ.get("WEIR_VENV", home / "venv")) / "bin" / "python"
    bench = Path(os.environ.get("WEIR_BENCH_VENV", home / "venv-bench")) / "bin" / "python"
    return {"weir": weir, "pyflink": bench, "bytewax": bench}


def run_engine(engine: str, n: int, repeat: int, workers: int, timeout: float, only: list[str] | None = None) -> dict[str, Any] | str:
    python = interpreters()[engine]
    if not python.exists():
        return f"skipped: no interpreter at {python}"
    args = [str(python), __file__, "--child", engine, "-n", str(n), "--repeat", str(repeat), "--workers", str(workers)]
    for name in only or []:
        args += ["--only", name]
    # PyFlink starts its Python workers as `python` from PATH: the engine's own interpreter.
    env = dict(os.environ, PATH=f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return f"skipped: did not finish within {timeout:.0f} s"
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return "failed: " + " | ".join(tail)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(rows: list[dict[str, Any]], skipped: dict[str, str]) -> str:
    base = next((r for r in rows if r["engine"] == "weir" and r["workers"] == 1), None)
    out = ["| engine | workers | runs | Table word count | DataStream map→key_by→reduce | scalar UDF overhead"
           " | window baseline | window reduce | window aggregate | window process | window trigger |"
           " process baseline | process pass | process echo | process ValueState | process state + timer |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        n = r["n"]
        cells = []
        for name in ("table_wc", "ds_reduce"):
            if name not in r:
                cells.append("—")
                continue
            ratio = "" if base is None or r is base else f" ({r[name] / base[name]:.1f}× Weir)"
            cells.append(f"{r[name]:.2f} s, {r[name] / n * 1e6:.2f} µs/rec{ratio}")
        if "sum_udf" in r:
            cells.append(f"{(r['sum_udf'] - r['sum_plain']) / n * 1e6:.2f} µs/call")
        else:
            cells.append("—")
        for name in ("win_baseline", "win_reduce", "win_aggregate", "win_process", "win_trigger", "ks_baseline", "ks_pass", "ks_echo", "ks_state", "ks_timer"):
            cells.append(f"{r[name]:.2f} s, {r[name] / n * 1e6:.2f} µs/rec" if name in r else "—")
        out.append(f"| {r['engine']} | {r['workers']} | {r['repeat']} | " + " | ".join(cells) + " |")
    for engine, why in skipped.items():
        out.append(f"| {engine} | — | — | {why} | | |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="input records per program")
    parser.add_argument("--repeat", type=int, default=5, help="runs per program (the median is reported)")
    parser.add_argument("--pyflink-repeat", type=int, default=1, help="runs per program on PyFlink (minutes each at 1M records)")
    parser.add_argument("--engine", choices=sorted(PROGRAMS), action="append", help="engines to run (default: all)")
    parser.add_argument("--workers", type=int, default=1, help="parallelism (child runs)")
    parser.add_argument("--timeout", type=float, default=2400, help="seconds allowed per engine")
    parser.add_argument("--only", action="append", help="programs to run (table_wc, ds_reduce, udf_overhead, win_reduce, win_aggregate, win_process, "
                        "win_trigger, ks_baseline, ks_pass, ks_echo, ks_state, ks_timer)")
    parser.add_argument("--worker-counts", default="1,2", help="Weir's worker counts (comma-separated)")
    parser.add_argument("--child", choices=sorted(PROGRAMS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.n, args.repeat, args.workers, args.only)))
        return
    rows: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    for engine in args.engine or ["weir", "pyflink", "bytewax"]:
        for workers in ([int(w) for w in args.worker_counts.split(",")] if engine == "weir" else [1]):
            print(f"running {engine} ({workers} worker{'s' if workers > 1 else ''}, n={args.n}) ...", file=sys.stderr, flush=True)
            repeat = args.pyflink_repeat if engine == "pyflink" else args.repeat
            result = run_engine(engine, args.n, repeat, workers, args.timeout, args.only)
            if isinstance(result, str):
                skipped[engine] = result
                break
            rows.append(result)
            print(json.dumps(result), file=sys.stderr, flush=True)
    print(report(rows, skipped))


if __name__ == "__main__":
    main()
