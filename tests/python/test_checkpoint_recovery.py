"""Checkpoints and recovery through the `weir` CLI, with real processes and real `kill -9`.

A streaming TUMBLE aggregate over a rate-limited datagen sequence, written to a filesystem
sink, is killed at random moments (each time after a new checkpoint has completed) and
restarted from its checkpoint directory (`-s`, Flink's flag) until it finishes. The rows the
sink has made visible must be exactly — as a multiset — those of a plain Python fold over the
same sequence: a row lost or counted twice by a restore changes a sum or a count, and a window
written twice (once before a kill, again after the restart) is a duplicate line.
"""

import csv
import random
import signal
import subprocess
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from conftest import run_weir
from test_server_support import WeirServer

ROWS = 60_000
WINDOW_MS = 5_000
KEYS = 7

JOB = f"""
SET 'execution.runtime-mode' = 'streaming';
SET 'table.local-time-zone' = 'UTC';
CREATE TABLE events (id BIGINT, ts AS TO_TIMESTAMP_LTZ(id * 10, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'datagen', 'rows-per-second' = '5000', 'number-of-rows' = '{ROWS}',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS}');
CREATE TABLE results (k BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), total BIGINT, n BIGINT)
  WITH ('connector' = 'filesystem', 'path' = '{{out}}', 'format' = 'csv');
INSERT INTO results SELECT MOD(id, {KEYS}) AS k, window_start, window_end, SUM(id) AS total, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY MOD(id, {KEYS}), window_start, window_end;
"""


def expected_windows() -> dict[tuple, tuple]:
    """The fold the job computes, in plain Python: (k, start, end) -> (sum, count)."""
    acc: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for i in range(1, ROWS + 1):
        start = (i * 10) // WINDOW_MS * WINDOW_MS
        slot = acc[(i % KEYS, iso(start), iso(start + WINDOW_MS))]
        slot[0] += i
        slot[1] += 1
    return {key: tuple(v) for key, v in acc.items()}


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def completed_checkpoints(root: Path) -> list[int]:
    return sorted(int(d.name[4:]) for d in root.glob("chk-*") if (d / "MANIFEST.json").exists())


def visible_rows(out: Path) -> list[tuple]:
    """Every row of the sink's visible part files (in-progress and pending ones are hidden)."""
    rows = []
    for part in sorted(out.iterdir()):
        if not part.name.startswith((".", "_")):
            with open(part, newline="") as f:
                rows += [((int(k), start, end), (int(total), int(n))) for k, start, end, total, n in csv.reader(f)]
    return rows


def test_a_window_job_killed_ten_times_writes_exactly_once(weir, tmp_path):
    out = tmp_path / "results"
    script = tmp_path / "job.sql"
    script.write_text(JOB.format(out=out))
    checkpoints = tmp_path / "checkpoints"
    base = ["run", str(script), "--workers", "2", "--checkpoint-interval", "200ms", "--checkpoint-dir", str(checkpoints)]
    rng = random.Random(16)
    kills = 0
    for _ in range(40):
        args = base + (["-s", str(checkpoints)] if completed_checkpoints(checkpoints) else [])
        with open(tmp_path / "run.out", "w") as stdout:
            proc = subprocess.Popen([str(weir), *args], stdout=stdout, stderr=subprocess.PIPE, text=True)
            before = max(completed_checkpoints(checkpoints), default=0)
            deadline = time.monotonic() + 30
            while proc.poll() is None and max(completed_checkpoints(checkpoints), default=0) <= before and time.monotonic() < deadline:
                time.sleep(0.02)
            if proc.poll() is None and kills < 10:
                time.sleep(rng.uniform(0.0, 0.4))
                proc.send_signal(signal.SIGKILL)
                kills += 1
            _, stderr = proc.communicate(timeout=60)
        if proc.returncode == 0:
            break
        assert proc.returncode == -signal.SIGKILL, stderr
    assert kills == 10, f"the job finished after {kills} kills: the crash loop needs a slower source"
    assert proc.returncode == 0
    rows = visible_rows(out)
    written_twice = [key for key, count in Counter(key for key, _ in rows).items() if count > 1]
    assert not written_twice, f"windows written more than once across restarts: {written_twice[:3]}"
    assert dict(rows) == expected_windows()


def test_checkpointing_refuses_a_group_by_whose_state_it_cannot_capture(weir, tmp_path):
    script = tmp_path / "job.sql"
    script.write_text("""
SET 'execution.runtime-mode' = 'streaming';
SET 'execution.checkpointing.interval' = '1 s';
CREATE TABLE t (k INT) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
SELECT k, COUNT(*) FROM t GROUP BY k;
""")
    proc = run_weir(weir, "run", str(script), "--checkpoint-dir", str(tmp_path / "ck"))
    assert proc.returncode != 0
    assert "GroupAggregate" in proc.stderr and "checkpointing" in proc.stderr and "nodes[" in proc.stderr, proc.stderr


def test_bad_checkpoint_settings_name_their_key(weir, tmp_path):
    script = tmp_path / "job.sql"
    script.write_text(JOB.format(out=tmp_path / "out"))
    proc = run_weir(weir, "run", str(script), "--checkpoint-interval", "soon", "--checkpoint-dir", str(tmp_path))
    assert proc.returncode != 0 and "execution.checkpointing.interval" in proc.stderr, proc.stderr
    proc = run_weir(weir, "run", str(script), "--checkpoint-interval", "1s")
    assert proc.returncode != 0 and "execution.checkpointing.dir" in proc.stderr, proc.stderr
    proc = run_weir(weir, "run", str(script), "-s", str(tmp_path / "nothing-here"))
    assert proc.returncode != 0 and "nothing-here" in proc.stderr, proc.stderr


def test_a_checkpoint_restores_only_into_the_same_worker_count(weir, tmp_path):
    script = tmp_path / "job.sql"
    script.write_text(JOB.format(out=tmp_path / "out").replace("'5000'", "'20000'"))
    checkpoints = tmp_path / "checkpoints"
    proc = run_weir(weir, "run", str(script), "--workers", "2", "--checkpoint-interval", "100ms", "--checkpoint-dir", str(checkpoints))
    assert proc.returncode == 0, proc.stderr
    assert completed_checkpoints(checkpoints), "a 2 s job with a 100 ms interval completes checkpoints"
    proc = run_weir(weir, "run", str(script), "--workers", "3", "-s", str(checkpoints))
    assert proc.returncode != 0 and "2 workers" in proc.stderr and "3" in proc.stderr, proc.stderr


def test_a_server_job_keeps_its_checkpoints_in_the_data_directory(weir, tmp_path):
    data = tmp_path / "data"
    server = WeirServer(weir, data, "--workers", "2").start()
    try:
        sql = JOB.format(out="outputs/windows").replace("SET 'table.local-time-zone' = 'UTC';",
                                                         "SET 'table.local-time-zone' = 'UTC';\nSET 'execution.checkpointing.interval' = '200 ms';")
        jobid = server.submit({"sql": sql.replace("'5000'", "'20000'")})
        stats = None
        while server.get(f"/jobs/{jobid}").json["state"] in ("CREATED", "RUNNING"):
            answer = server.get(f"/jobs/{jobid}/checkpoints")
            if answer.status == 200 and answer.json["counts"]["completed"] > 0:
                stats = answer.json
                break
            time.sleep(0.05)
        assert stats is not None, "a running job's checkpoints are reported"
        assert stats["counts"]["total"] >= stats["counts"]["completed"] >= 1 and stats["counts"]["restored"] == 0
        latest = stats["latest"]["completed"]
        assert latest["status"] == "COMPLETED" and latest["external_path"].endswith(f"chk-{latest['id']:020d}")
        assert server.wait_state(jobid)["state"] == "FINISHED"
        after = server.get(f"/jobs/{jobid}/checkpoints")
        assert after.status == 200 and after.json["counts"]["completed"] >= stats["counts"]["completed"], "kept after the job ends"
        plain = server.submit({"sql": JOB.format(out="outputs/plain").replace("'5000'", "'20000'")})
        refused = server.get(f"/jobs/{plain}/checkpoints")
        assert refused.status == 404 and "not enabled" in refused.json["errors"][0]
        server.wait_state(plain)
        assert completed_checkpoints(data / "checkpoints" / jobid), "checkpoints go to <data dir>/checkpoints/<job id>"
        assert dict(visible_rows(data / "outputs" / "windows")) == expected_windows()
    finally:
        server.stop()
