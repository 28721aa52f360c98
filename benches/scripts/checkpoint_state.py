#!/usr/bin/env python3
"""Checkpoint cost against total state: a streaming GROUP BY of `--keys` groups (a bulk load,
then a trickle of `--rate` updates per second) under `weir serve`, checkpointing every
`--interval`, read back from Flink's `GET /jobs/{id}/checkpoints`.

For each key count (`--keys 1000000,4000000`) and backend (`--backends rocksdb,hashmap`) it runs
the job until `--checkpoints` checkpoints have completed after the load, then prints, over
those: the median end-to-end duration, the median full state size and the median incremental
(checkpointed) size. With RocksDB a checkpoint hard-links the table files it shares with the
previous one, so its duration and incremental size should follow the changes per interval,
not the total state; the in-memory backend writes its whole state every time.

    python3 benches/scripts/checkpoint_state.py --weir target/release/weir --keys 1000000,4000000
"""

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ck_job import ck_job


class Server:
    def __init__(self, weir: Path, data: Path, workers: int):
        self.proc = subprocess.Popen([str(weir), "serve", "--addr", "127.0.0.1:0", "--data-dir", str(data), "--workers", str(workers)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.port = 0
        for line in self.proc.stderr:
            m = re.search(r"listening on \S*:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if not self.port:
            raise SystemExit("weir serve did not start")

    def call(self, method: str, path: str, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        return r.status, json.loads(data) if data else None

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


def bulk_done(server: Server, jobid: str, keys: int) -> bool:
    _, details = server.call("GET", f"/jobs/{jobid}")
    bulk = next(v for v in details["vertices"] if v["id"] == "bulk")
    return bulk["metrics"]["write-records"] >= keys


def measure(args, keys: int, backend: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="weir-ckstate-") as tmp:
        server = Server(args.weir, Path(tmp) / "data", args.workers)
        try:
            sql = f"SET 'execution.checkpointing.interval' = '{args.interval}';\n" + ck_job(keys, args.rate, backend)
            status, body = server.call("POST", "/jobs", {"sql": sql})
            if status != 200:
                raise SystemExit(f"submit failed: {status} {body}")
            jobid = body["jobid"]
            loaded_at = None
            seen: dict[int, dict] = {}
            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline:
                if loaded_at is None and bulk_done(server, jobid, keys):
                    loaded_at = int(time.time() * 1000)
                _, stats = server.call("GET", f"/jobs/{jobid}/checkpoints")
                for c in (stats or {}).get("history", []):
                    if c["status"] == "COMPLETED":
                        seen[c["id"]] = c
                after = [c for c in seen.values() if loaded_at is not None and c["trigger_timestamp"] > loaded_at]
                if len(after) >= args.checkpoints:
                    break
                time.sleep(0.3)
            else:
                raise SystemExit(f"{keys} keys on {backend}: fewer than {args.checkpoints} checkpoints after the load in {args.timeout} s")
            server.call("PATCH", f"/jobs/{jobid}?mode=cancel")
            return {
                "keys": keys,
                "backend": backend,
                "checkpoints": len(after),
                "median_duration_ms": statistics.median(c["end_to_end_duration"] for c in after),
                "max_duration_ms": max(c["end_to_end_duration"] for c in after),
                "median_state_mb": statistics.median(c["state_size"] for c in after) / 1e6,
                "median_checkpointed_mb": statistics.median(c["checkpointed_size"] for c in after) / 1e6,
            }
        finally:
            server.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weir", type=Path, required=True)
    p.add_argument("--keys", default="1000000,4000000")
    p.add_argument("--backends", default="rocksdb,hashmap")
    p.add_argument("--rate", type=int, default=1000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--interval", default="1 s")
    p.add_argument("--checkpoints", type=int, default=10, help="checkpoints to measure after the load")
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--json", type=Path)
    args = p.parse_args()
    rows = []
    print(f"{'backend':<8} {'keys':>10} {'n':>3} {'median ms':>10} {'max ms':>8} {'state MB':>9} {'written MB':>10}")
    for backend in args.backends.split(","):
        for keys in (int(k) for k in args.keys.split(",")):
            r = measure(args, keys, backend)
            rows.append(r)
            print(f"{backend:<8} {keys:>10} {r['checkpoints']:>3} {r['median_duration_ms']:>10.0f} {r['max_duration_ms']:>8} "
                  f"{r['median_state_mb']:>9.1f} {r['median_checkpointed_mb']:>10.2f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
