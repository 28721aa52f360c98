#!/usr/bin/env python3
"""Soak test of `weir serve`: N minutes (default 30) of mixed traffic against one server —
job submissions (bounded batch jobs, unbounded append-only and updating streaming jobs, push
jobs), pushes into running jobs, result page reads, and cancels — while a prober times
`GET /overview` and a sampler records the server's resident memory and its data directory's
size.

It prints a table of figures per interval and fails (exit 1) when
* the server's memory grows without bound (peak RSS of the last third of the run above
  1.25 x the peak of the middle third + 64 MiB),
* the p99 latency of `/overview` exceeds 50 ms (over the run; `--p99-ms`),
* any answer is a 5xx (or a request fails at the socket),
* the registry (`jobs/` + `push-log/`) grows without bound (same rule as memory).

    tests/load/soak.py [--minutes 30] [--weir PATH] [--json report.json]

Standard library only; the server runs on an ephemeral loopback port with a temporary data dir.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "python"))
from conftest import weir_binary  # noqa: E402
from test_server_support import WeirServer  # noqa: E402

BATCH = ("CREATE TABLE g (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '{n}', "
         "'fields.k.min' = '1', 'fields.k.max' = '100');\nSELECT k, COUNT(*) AS n, SUM(v) AS s FROM g GROUP BY k;")
APPEND = ("CREATE TABLE g (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '{rate}');\n"
          "SELECT k, v FROM g;")
UPDATING = ("CREATE TABLE g (k BIGINT, v BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '{rate}', "
            "'fields.k.min' = '1', 'fields.k.max' = '1000');\nSELECT k, COUNT(*) AS n FROM g GROUP BY k;")
PUSH = ("CREATE TABLE clicks (user_name STRING, n BIGINT) WITH ('connector' = 'push');\n"
        "SELECT user_name, SUM(n) AS total FROM clicks GROUP BY user_name;")


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def dir_bytes(path: Path) -> tuple[int, int]:
    total, files = 0, 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            try:
                total += (Path(root) / name).stat().st_size
                files += 1
            except FileNotFoundError:
                pass
    return total, files


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Soak:
    def __init__(self, server: WeirServer, data: Path, seconds: float):
        self.server = server
        self.data = data
        self.deadline = time.time() + seconds
        self.started = time.time()
        self.lock = threading.Lock()
        self.running: dict[str, tuple[str, float]] = {}  # jobid -> (kind, started)
        self.errors_5xx: list[str] = []
        self.counts = {"submitted": 0, "cancelled": 0, "pushed": 0, "push_429": 0, "job_429": 0, "reads": 0}
        self.overview_ms: list[tuple[float, float]] = []
        self.samples: list[dict] = []

    def alive(self) -> bool:
        return time.time() < self.deadline

    def call(self, method: str, path: str, body=None, timeout: float = 30):
        try:
            r = self.server.request(method, path, body, timeout=timeout)
        except OSError as e:
            with self.lock:
                self.errors_5xx.append(f"{method} {path}: {e}")
            return None
        if r.status >= 500:
            with self.lock:
                self.errors_5xx.append(f"{method} {path}: {r.status} {r.body[:200]!r}")
        return r

    def submitter(self) -> None:
        rng = random.Random(1)
        while self.alive():
            kind = rng.choice(["batch", "batch", "append", "updating", "push"])
            sql = {"batch": BATCH.format(n=rng.choice([1000, 20000])), "append": APPEND.format(rate=rng.choice([500, 5000])),
                   "updating": UPDATING.format(rate=2000), "push": PUSH}[kind]
            mode = "batch" if kind == "batch" else "streaming"
            r = self.call("POST", "/jobs", {"sql": sql, "mode": mode, "name": f"soak-{kind}"})
            if r is not None and r.status == 200:
                with self.lock:
                    self.counts["submitted"] += 1
                    if kind != "batch":
                        self.running[r.json["jobid"]] = (kind, time.time())
            elif r is not None and r.status == 429:
                with self.lock:
                    self.counts["job_429"] += 1
            time.sleep(rng.uniform(0.2, 0.8))

    def canceller(self) -> None:
        rng = random.Random(2)
        while self.alive():
            time.sleep(1)
            with self.lock:
                old = [j for j, (_, t) in self.running.items() if time.time() - t > rng.uniform(5, 20)]
            for jobid in old:
                r = self.call("PATCH", f"/jobs/{jobid}?mode=cancel")
                with self.lock:
                    self.running.pop(jobid, None)
                    if r is not None and r.status == 202:
                        self.counts["cancelled"] += 1

    def pusher(self) -> None:
        rng = random.Random(3)
        while self.alive():
            with self.lock:
                pushes = [j for j, (k, _) in self.running.items() if k == "push"]
            if not pushes:
                time.sleep(0.2)
                continue
            jobid = rng.choice(pushes)
            batch = [[f"user{rng.randrange(500)}", rng.randrange(100)] for _ in range(rng.choice([10, 200]))]
            r = self.call("POST", f"/jobs/{jobid}/inputs/clicks", batch)
            with self.lock:
                if r is not None and r.status == 200:
                    self.counts["pushed"] += len(batch)
                elif r is not None and r.status == 429:
                    self.counts["push_429"] += 1
            time.sleep(0.02)

    def reader(self, seed: int) -> None:
        rng = random.Random(seed)
        while self.alive():
            jobs = self.call("GET", "/jobs")
            if jobs is None or jobs.status != 200 or not jobs.json["jobs"]:
                time.sleep(0.2)
                continue
            jobid = rng.choice(jobs.json["jobs"])["id"]
            limit = rng.choice([2, 100, 5000])
            self.call("GET", f"/jobs/{jobid}/results?offset={rng.randrange(20000)}&limit={limit}")
            with self.lock:
                self.counts["reads"] += 1
            time.sleep(0.05)

    def prober(self) -> None:
        while self.alive():
            t0 = time.perf_counter()
            r = self.call("GET", "/overview", timeout=10)
            ms = (time.perf_counter() - t0) * 1000
            if r is not None:
                with self.lock:
                    self.overview_ms.append((time.time() - self.started, ms))
            time.sleep(0.1)

    def sampler(self, every: float) -> None:
        while self.alive():
            registry, files = dir_bytes(self.data)
            with self.lock:
                self.samples.append({"t": time.time() - self.started, "rss": rss_bytes(self.server.proc.pid),
                                     "registry": registry, "files": files, "running": len(self.running)})
            time.sleep(every)

    def run(self, every: float) -> None:
        threads = [threading.Thread(target=f, daemon=True) for f in (self.submitter, self.canceller, self.pusher, self.prober)]
        threads += [threading.Thread(target=self.reader, args=(10 + i,), daemon=True) for i in range(3)]
        threads.append(threading.Thread(target=self.sampler, args=(every,), daemon=True))
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def grows_without_bound(samples: list[dict], key: str, slack: int) -> tuple[bool, int, int]:
    """Peak of the last third against the peak of the middle third."""
    n = len(samples)
    if n < 6:
        return False, 0, 0
    middle = max(s[key] for s in samples[n // 3: 2 * n // 3])
    last = max(s[key] for s in samples[2 * n // 3:])
    return last > middle * 1.25 + slack, middle, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--weir", type=Path, default=weir_binary())
    parser.add_argument("--p99-ms", type=float, default=50)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    seconds = args.minutes * 60
    every = max(1.0, min(30.0, seconds / 60))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        server = WeirServer(args.weir, data, "--workers", "1", "--max-running-jobs", "16",
                            "--max-result-rows", "20000", "--max-push-queue-rows", "5000",
                            "--jobstore-max-capacity", "100", "--jobstore-expiration-time", "600").start()
        try:
            soak = Soak(server, data, seconds)
            soak.run(every)
        finally:
            server.kill()
    latencies = [ms for _, ms in soak.overview_ms]
    p99 = percentile(latencies, 99)
    buckets = max(1, min(10, len(soak.samples)))
    span = seconds / buckets
    print(f"soak: {args.minutes:g} min, {soak.counts}")
    print("| minute | peak RSS MiB | registry KiB (files) | /overview p99 ms | running jobs |")
    print("|---:|---:|---:|---:|---:|")
    rows = []
    for b in range(buckets):
        lo, hi = b * span, (b + 1) * span
        ss = [s for s in soak.samples if lo <= s["t"] < hi] or soak.samples[-1:]
        ls = [ms for t, ms in soak.overview_ms if lo <= t < hi]
        row = {"minute": round(hi / 60, 1), "rss_mib": max(s["rss"] for s in ss) / 2**20,
               "registry_kib": max(s["registry"] for s in ss) / 1024, "files": max(s["files"] for s in ss),
               "p99_ms": percentile(ls, 99), "running": max(s["running"] for s in ss)}
        rows.append(row)
        print(f"| {row['minute']:g} | {row['rss_mib']:.0f} | {row['registry_kib']:.0f} ({row['files']}) | {row['p99_ms']:.1f} | {row['running']} |")
    mem_grows, mem_mid, mem_last = grows_without_bound(soak.samples, "rss", 64 << 20)
    reg_grows, reg_mid, reg_last = grows_without_bound(soak.samples, "registry", 1 << 20)
    peak = max((s["rss"] for s in soak.samples), default=0)
    print(f"peak RSS {peak / 2**20:.0f} MiB; /overview p50 {percentile(latencies, 50):.1f} ms, p99 {p99:.1f} ms, "
          f"max {max(latencies, default=0):.1f} ms over {len(latencies)} probes; 5xx/socket errors: {len(soak.errors_5xx)}")
    failures = []
    if mem_grows:
        failures.append(f"memory grows: peak {mem_mid / 2**20:.0f} MiB in the middle third, {mem_last / 2**20:.0f} MiB in the last")
    if reg_grows:
        failures.append(f"registry grows: {reg_mid} bytes in the middle third, {reg_last} in the last")
    if p99 > args.p99_ms:
        failures.append(f"/overview p99 {p99:.1f} ms > {args.p99_ms} ms")
    if soak.errors_5xx:
        failures.append(f"{len(soak.errors_5xx)} 5xx/socket errors, first: {soak.errors_5xx[0]}")
    if args.json:
        args.json.write_text(json.dumps({"minutes": args.minutes, "counts": soak.counts, "p99_ms": p99, "peak_rss": peak,
                                         "intervals": rows, "failures": failures, "errors": soak.errors_5xx[:20]}, indent=1))
    for f in failures:
        print(f"FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
