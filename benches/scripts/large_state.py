#!/usr/bin/env python3
"""State larger than memory (issue #16): a streaming GROUP BY and a regular join over N
distinct keys, each run with `state.backend.type` = `hashmap` and = `rocksdb` under a memory
cap. RSS is sampled from /proc every 100 ms; a run whose RSS passes the cap is killed and
reported as such. Prints one line per run: query, backend, outcome, wall s, peak RSS MiB.

    python3 benches/scripts/large_state.py --weir target/release/weir --keys 50000000 --cap-mib 1024
"""

import argparse
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

QUERIES = {
    "group-by": """
CREATE TABLE t (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '{n}',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{n}');
CREATE TABLE out (id BIGINT, c BIGINT, s BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT id, COUNT(*), SUM(id) FROM t GROUP BY id;
""",
    "join": """
CREATE TABLE a (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '{n}',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{n}');
CREATE TABLE b (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '{n}',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{n}');
CREATE TABLE out (x BIGINT, y BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a.id, b.id FROM a JOIN b ON a.id = b.id;
""",
}


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def run(weir: str, query: str, backend: str, keys: int, cap_mib: int, workers: int) -> tuple[str, float, float]:
    with tempfile.TemporaryDirectory(prefix="weir-large-state-") as tmp:
        script = Path(tmp) / "job.sql"
        settings = f"SET 'execution.runtime-mode' = 'streaming';\nSET 'state.backend.type' = '{backend}';\n"
        if backend == "rocksdb":
            settings += f"SET 'state.backend.rocksdb.localdir' = '{tmp}/rocksdb';\n"
        script.write_text(settings + QUERIES[query].format(n=keys))
        started = time.monotonic()
        proc = subprocess.Popen([weir, "run", str(script), "-w", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak, outcome = 0.0, "completed"
        while proc.poll() is None:
            peak = max(peak, rss_mib(proc.pid))
            if peak > cap_mib:
                proc.send_signal(signal.SIGKILL)
                outcome = f"killed at the {cap_mib} MiB cap"
                break
            time.sleep(0.1)
        _, stderr = proc.communicate()
        if outcome == "completed" and proc.returncode != 0:
            outcome = f"failed: {stderr.decode(errors='replace').strip().splitlines()[-1:]}"
        return outcome, time.monotonic() - started, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weir", default=os.path.expanduser("~/.cache/weir/target/release/weir"))
    parser.add_argument("--keys", type=int, default=50_000_000)
    parser.add_argument("--cap-mib", type=int, default=1024)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", default="group-by,join")
    parser.add_argument("--backends", default="hashmap,rocksdb")
    args = parser.parse_args()
    for query in args.queries.split(","):
        for backend in args.backends.split(","):
            outcome, wall, peak = run(args.weir, query, backend, args.keys, args.cap_mib, args.workers)
            print(f"{query:9} {backend:8} {outcome:32} {wall:8.1f} s {peak:8.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
