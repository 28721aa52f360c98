#!/usr/bin/env python3
"""Recovery time: `kill -9` of a `weir run` job with large state → first output row of the job
restarted from its checkpoint (`weir run -s`), with real processes.

The job (`ck_job.py`) loads `--keys` groups (about `--pad` bytes each, so the state is roughly
keys × pad) and then updates them at `--rate` rows per second into a `print` sink. Each round:
start the job (from the previous round's checkpoints after the first), wait until a checkpoint
holds the whole load, wait `--after` seconds more, SIGKILL it at a random moment, start it
again with `-s`, and time from the kill to the first line it prints (every line is a change of
a group after the restored checkpoint). Also reported: the time from the restarted process's
start to its first line, and the size of the checkpoint restored.

    python3 benches/scripts/recovery_time.py --weir target/release/weir --keys 1000000 --pad 64
"""

import argparse
import json
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ck_job import ck_job, complete_checkpoints, state_bytes


def start(weir: Path, script: Path, ck: Path, args: argparse.Namespace, restore: bool) -> subprocess.Popen:
    cmd = [str(weir), "run", str(script), "--workers", str(args.workers), "--checkpoint-dir", str(ck),
           "--checkpoint-interval", args.interval, "--output", "json", "-D", "restart-strategy.type=none"]
    if restore:
        cmd += ["-s", str(ck)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def first_line_time(proc: subprocess.Popen, timeout: float) -> float | None:
    """Monotonic time of the first line `proc` prints, None if none within `timeout`; the rest
    of its output is drained in a thread."""
    seen: list[float] = []
    got = threading.Event()

    def read():
        for _ in proc.stdout:
            if not seen:
                seen.append(time.monotonic())
                got.set()

    threading.Thread(target=read, daemon=True).start()
    got.wait(timeout)
    return seen[0] if seen else None


def drain(proc: subprocess.Popen) -> list[int]:
    """Reads `proc`'s output in a thread; the returned one-element list counts its lines."""
    lines = [0]

    def read():
        for _ in proc.stdout:
            lines[0] += 1

    threading.Thread(target=read, daemon=True).start()
    return lines


def wait_loaded(lines: list[int], keys: int, ck: Path, after: float, timeout: float) -> None:
    """Waits until the job has printed a row for every key (the load is in its state), then
    for two more complete checkpoints and `after` seconds."""
    deadline = time.monotonic() + timeout
    while lines[0] < keys:
        if time.monotonic() > deadline:
            raise SystemExit(f"the load was not done within {timeout} s ({lines[0]} of {keys} rows)")
        time.sleep(0.1)
    def newest() -> int:
        done = complete_checkpoints(ck)
        return int(done[-1].name.removeprefix("chk-")) if done else 0

    first = newest()
    while newest() < first + 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(after)


def measure_rounds(current: list, lines: list[int], args: argparse.Namespace, script: Path, ck: Path) -> list[dict]:
    """Kills and restarts the job `args.rounds` times; `current[0]` is always the running process."""
    rounds = []
    wait_loaded(lines, args.keys, ck, args.after, 600)
    for r in range(args.rounds):
        time.sleep(random.uniform(0.0, 1.0))
        newest = complete_checkpoints(ck)[-1]
        current[0].send_signal(signal.SIGKILL)
        killed = time.monotonic()
        current[0].wait()
        current[0] = start(args.weir, script, ck, args, restore=True)
        started = time.monotonic()
        first = first_line_time(current[0], 120)
        if first is None:
            raise SystemExit(f"round {r + 1}: the restarted job printed nothing within 120 s")
        row = {"round": r + 1, "kill_to_first_row_s": first - killed, "start_to_first_row_s": first - started,
               "restored_state_mb": state_bytes(newest) / 1e6, "checkpoint": newest.name}
        rounds.append(row)
        print(json.dumps(row), flush=True)
        time.sleep(args.after)
    return rounds


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weir", type=Path, required=True)
    p.add_argument("--keys", type=int, default=1_000_000)
    p.add_argument("--pad", type=int, default=64, help="characters of padding per group")
    p.add_argument("--rate", type=int, default=1000, help="trickle rows per second")
    p.add_argument("--backend", default="rocksdb", choices=["rocksdb", "hashmap"])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--interval", default="1s")
    p.add_argument("--after", type=float, default=2.0, help="seconds to run after the load before the kill window")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json", type=Path, help="also write the rounds here")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="weir-recovery-") as tmp:
        script, ck = Path(tmp) / "job.sql", Path(tmp) / "ck"
        script.write_text(ck_job(args.keys, args.rate, args.backend, sink="print", pad=args.pad))
        current = [start(args.weir, script, ck, args, restore=False)]
        try:
            rounds = measure_rounds(current, drain(current[0]), args, script, ck)
        finally:
            current[0].kill()
            current[0].wait()
    kill = [r["kill_to_first_row_s"] for r in rounds]
    print(f"recovery ({args.backend}, {args.keys} keys, {statistics.median(r['restored_state_mb'] for r in rounds):.0f} MB of state, "
          f"{args.workers} workers): kill -> first new row median {statistics.median(kill):.3f} s "
          f"(min {min(kill):.3f}, max {max(kill):.3f}) over {len(rounds)} rounds")
    if args.json:
        args.json.write_text(json.dumps(rounds, indent=1) + "\n")


if __name__ == "__main__":
    main()
