"""What making a push durable costs per request: `POST /jobs/{id}/inputs/{table}` of one record,
accepted (appended to the push-input log and fsynced before the answer) against the same
request refused with 400 by the schema check (parsed the same way, never logged), interleaved
so that both see the same machine load. Then the same with several clients at once, where a
group commit would pay off.

    WEIR_BIN=target/release/weir python benches/scripts/push_latency.py [--requests 400] [--dir D]

Prints medians in milliseconds and their ratio.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "python"))
from test_server_support import WeirServer

SQL = "CREATE TABLE clicks (user_name STRING, n BIGINT) WITH ('connector' = 'push');\nSELECT COUNT(*) FROM clicks;"


def timed(srv: WeirServer, path: str, body) -> tuple[float, int]:
    t0 = time.perf_counter()
    status = srv.request("POST", path, body).status
    return (time.perf_counter() - t0) * 1000, status


def sequential(srv: WeirServer, path: str, n: int) -> tuple[list[float], list[float]]:
    logged, refused = [], []
    for i in range(n):
        ms, status = timed(srv, path, [["u", i]])
        assert status == 200, status
        logged.append(ms)
        ms, status = timed(srv, path, [["u", "not a number"]])
        assert status == 400, status
        refused.append(ms)
    return logged, refused


def concurrent(srv: WeirServer, path: str, n: int, clients: int, body) -> float:
    """Requests per second of `clients` threads sending `n` requests in all."""
    def run():
        for _ in range(n // clients):
            srv.request("POST", path, body)
    threads = [threading.Thread(target=run) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--dir", type=Path, default=None, help="where the data directory goes (default: a temporary one)")
    args = parser.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="weir-push-bench-"))
    srv = WeirServer(Path(os.environ["WEIR_BIN"]), base / "data", "--workers", "1", "--max-push-queue-rows", "100000000").start()
    try:
        jobid = srv.submit({"sql": SQL, "mode": "streaming"})
        srv.wait_state(jobid, states=("RUNNING",))
        path = f"/jobs/{jobid}/inputs/clicks"
        logged, refused = sequential(srv, path, args.requests)
        m_logged, m_refused = statistics.median(logged), statistics.median(refused)
        print(f"load average {os.getloadavg()[0]:.1f}; {args.requests} sequential requests each")
        print(f"accepted (logged + fsync): median {m_logged:.2f} ms; refused (400, not logged): median {m_refused:.2f} ms; "
              f"ratio {m_logged / m_refused:.1f}x; fsync and log cost {m_logged - m_refused:.2f} ms/request")
        ok = concurrent(srv, path, args.requests, args.clients, [["u", 1]])
        bad = concurrent(srv, path, args.requests, args.clients, [["u", "x"]])
        print(f"{args.clients} clients: accepted {ok:.0f} req/s, refused {bad:.0f} req/s, ratio {bad / ok:.1f}x")
    finally:
        srv.kill()


if __name__ == "__main__":
    main()
