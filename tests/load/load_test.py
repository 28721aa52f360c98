#!/usr/bin/env python3
"""Bounded load test of `weir serve`: N concurrent job submissions, then M status reads from
many threads; every answer must be a 200 and every job must reach FINISHED.

    source scripts/env.sh; $WEIR_VENV/bin/python tests/load/load_test.py [--jobs 200] [--reads 20000]

Not part of the default test run (it takes longer than the unit of a test). Prints figures and
exits non-zero on any failure.
"""

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests/python"))
from conftest import weir_binary  # noqa: E402
from test_server_support import WeirServer  # noqa: E402

JOB = {"nodes": [
    {"kind": "source", "id": "bids", "connector": "filesystem",
     "options": {"path": str(REPO / "examples/data/bids.csv"), "format": "csv"},
     "schema": [{"name": "auction", "type": "BIGINT"}, {"name": "bidder", "type": "BIGINT"},
                {"name": "price", "type": "BIGINT"}, {"name": "ts_ms", "type": "BIGINT"}]},
    {"kind": "aggregate", "id": "agg", "input": "bids",
     "group_by": [{"name": "auction", "expr": {"column": "auction"}}],
     "aggregates": [{"name": "n", "function": "count"}]},
    {"kind": "sink", "id": "out", "input": "agg", "connector": "collect"},
]}


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else 0.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=200)
    ap.add_argument("--reads", type=int, default=20000)
    ap.add_argument("--threads", type=int, default=32)
    args = ap.parse_args()
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        srv = WeirServer(weir_binary(), Path(tmp) / "data", "--workers", "1",
                         "--max-running-jobs", str(args.jobs + 16)).start()
        try:
            body = json.dumps({"spec": JOB}).encode()

            def submit(i: int):
                t = time.perf_counter()
                r = srv.request("POST", "/jobs", raw=body, headers={"Content-Type": "application/json"}, timeout=120)
                took = time.perf_counter() - t
                if r.status != 200:
                    failures.append(f"submit {i}: {r}")
                    return None, took
                return r.json["jobid"], took

            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.jobs) as pool:
                submitted = list(pool.map(submit, range(args.jobs)))
            submit_wall = time.perf_counter() - t0
            jobids = [j for j, _ in submitted if j]
            submit_lat = [t for _, t in submitted]

            local = threading.local()

            def read(i: int):
                conn = getattr(local, "conn", None)
                if conn is None:
                    conn = local.conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
                t = time.perf_counter()
                try:
                    conn.request("GET", f"/jobs/{jobids[i % len(jobids)]}")
                    resp = conn.getresponse()
                    data = resp.read()
                except (OSError, http.client.HTTPException) as e:
                    local.conn = None
                    failures.append(f"read {i}: {e!r}")
                    return time.perf_counter() - t
                if resp.status != 200:
                    failures.append(f"read {i}: {resp.status} {data[:200]!r}")
                return time.perf_counter() - t

            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                read_lat = list(pool.map(read, range(args.reads)))
            read_wall = time.perf_counter() - t0

            t0 = time.perf_counter()
            states = {}
            for jobid in jobids:
                states[jobid] = srv.wait_state(jobid, timeout=300)["state"]
            drain_wall = time.perf_counter() - t0
            not_finished = [j for j, s in states.items() if s != "FINISHED"]
            failures += [f"job {j} ended {states[j]}" for j in not_finished]
            rc = srv.stop()
            if rc != 0:
                failures.append(f"server exit code {rc}")
        finally:
            srv.kill()

    print(f"submissions: {args.jobs} concurrent in {submit_wall:.2f}s "
          f"(latency p50 {statistics.median(submit_lat) * 1000:.0f} ms, p99 {percentile(submit_lat, 0.99) * 1000:.0f} ms)")
    print(f"status reads: {args.reads} on {args.threads} threads in {read_wall:.2f}s = {args.reads / read_wall:.0f}/s "
          f"(latency p50 {statistics.median(read_lat) * 1000:.2f} ms, p99 {percentile(read_lat, 0.99) * 1000:.2f} ms)")
    print(f"all jobs FINISHED {drain_wall:.2f}s after the reads: {len(jobids) - len(not_finished)}/{args.jobs}")
    print(f"failures: {len(failures)}")
    for f in failures[:20]:
        print("  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
