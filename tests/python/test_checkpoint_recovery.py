"""Checkpoints and recovery through the `weir` CLI, with real processes and real `kill -9`.

A streaming TUMBLE aggregate (and a sliced HOP aggregate) over a rate-limited datagen
sequence, written to a filesystem sink, is killed at random moments (each time after a new checkpoint has completed) and
restarted from its checkpoint directory (`-s`, Flink's flag) until it finishes. The rows the
sink has made visible must be exactly — as a multiset — those of a plain Python fold over the
same sequence: a row lost or counted twice by a restore changes a sum or a count, and a window
written twice (once before a kill, again after the restart) is a duplicate line.
"""

import csv
import json
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


def window_job(windows: str) -> str:
    """The job over the window table function `windows` of the table `events`."""
    return f"""
SET 'execution.runtime-mode' = 'streaming';
SET 'table.local-time-zone' = 'UTC';
CREATE TABLE events (id BIGINT, ts AS TO_TIMESTAMP_LTZ(id * 10, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'datagen', 'rows-per-second' = '5000', 'number-of-rows' = '{ROWS}',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS}');
CREATE TABLE results (k BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), total BIGINT, n BIGINT)
  WITH ('connector' = 'filesystem', 'path' = '{{out}}', 'format' = 'csv');
INSERT INTO results SELECT MOD(id, {KEYS}) AS k, window_start, window_end, SUM(id) AS total, COUNT(*) AS n
FROM TABLE({windows})
GROUP BY MOD(id, {KEYS}), window_start, window_end;
"""


JOB = window_job("TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND)")
# HOP windows of 5 s every 2 s: the slide does not divide the size, so the sliced aggregate
# keeps 1-second slices, each in up to three windows.
HOP_JOB = window_job("HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '5' SECOND)")
HOP_SLIDE_MS = 2_000


def expected_windows(slide_ms: int = WINDOW_MS) -> dict[tuple, tuple]:
    """The fold the job computes, in plain Python: (k, start, end) -> (sum, count), for windows
    of `WINDOW_MS` starting every `slide_ms`."""
    acc: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for i in range(1, ROWS + 1):
        ts = i * 10
        start = ts // slide_ms * slide_ms
        while start > ts - WINDOW_MS:
            slot = acc[(i % KEYS, iso(start), iso(start + WINDOW_MS))]
            slot[0] += i
            slot[1] += 1
            start -= slide_ms
    return {key: tuple(v) for key, v in acc.items()}


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def completed_checkpoints(root: Path) -> list[int]:
    return sorted(int(d.name[4:]) for d in root.glob("chk-*") if (d / "MANIFEST.json").exists())


def visible_parts(out: Path) -> list[Path]:
    """The sink's visible part files (in-progress and pending ones are hidden)."""
    return [part for part in sorted(out.iterdir()) if not part.name.startswith((".", "_"))]


def visible_rows(out: Path) -> list[tuple]:
    """Every row of the sink's visible part files."""
    rows = []
    for part in visible_parts(out):
        with open(part, newline="") as f:
            rows += [((int(k), start, end), (int(total), int(n))) for k, start, end, total, n in csv.reader(f)]
    return rows


def test_a_window_job_killed_ten_times_writes_exactly_once(weir, tmp_path):
    out = crash_loop(weir, tmp_path, JOB)
    rows = visible_rows(out)
    written_twice = [key for key, count in Counter(key for key, _ in rows).items() if count > 1]
    assert not written_twice, f"windows written more than once across restarts: {written_twice[:3]}"
    assert dict(rows) == expected_windows()


def test_a_sliced_hop_job_killed_ten_times_writes_exactly_once_into_other_worker_counts(weir, tmp_path):
    # The slices, their index and the timers of the window chain are keyed state: a restore
    # (into 2, 1 or 3 workers) must neither lose a slice nor fire a window twice.
    out = crash_loop(weir, tmp_path, HOP_JOB, workers=(2, 1, 3))
    rows = visible_rows(out)
    written_twice = [key for key, count in Counter(key for key, _ in rows).items() if count > 1]
    assert not written_twice, f"windows written more than once across restarts: {written_twice[:3]}"
    assert dict(rows) == expected_windows(HOP_SLIDE_MS)


GROUPS = 40

# A GROUP BY over a GROUP BY: every new row of a key moves the key from one count to the
# next, so the outer aggregate retracts a row of its old group (its MAX and MIN may have to be
# found again among the remaining values) and updates the new one.
RETRACTING_JOB = f"""
SET 'execution.runtime-mode' = 'streaming';
CREATE TABLE events (id BIGINT)
  WITH ('connector' = 'datagen', 'rows-per-second' = '3000', 'number-of-rows' = '{ROWS // 2}',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS // 2}');
CREATE TABLE results (c BIGINT, n BIGINT, lo BIGINT, hi BIGINT, total BIGINT)
  WITH ('connector' = 'filesystem', 'path' = '{{out}}', 'format' = 'debezium-json');
INSERT INTO results SELECT c, COUNT(*), MIN(k), MAX(k), SUM(k)
FROM (SELECT MOD(id * 7919, {GROUPS * 37}) AS k, COUNT(*) AS c FROM events GROUP BY MOD(id * 7919, {GROUPS * 37}))
GROUP BY c;
"""


def expected_retracting() -> Counter:
    """The outer aggregate's final table, folded in plain Python."""
    per_key = Counter((i * 7919) % (GROUPS * 37) for i in range(1, ROWS // 2 + 1))
    by_count: dict[int, list[int]] = defaultdict(list)
    for k, c in per_key.items():
        by_count[c].append(k)
    return Counter((c, len(ks), min(ks), max(ks), sum(ks)) for c, ks in by_count.items())


def committed_changelog(out: Path, columns: tuple[str, ...]) -> Counter:
    """The table of `columns` the visible Debezium change events add up to (creates minus
    deletes)."""
    table: Counter = Counter()
    for part in visible_parts(out):
        for line in part.read_text().splitlines():
            event = json.loads(line)
            row = event["after"] if event["op"] == "c" else event["before"]
            table[tuple(row[c] for c in columns)] += 1 if event["op"] == "c" else -1
    negative = {row: n for row, n in table.items() if n < 0}
    assert not negative, f"deleted more often than created: {list(negative)[:3]}"
    return +table


def crash_loop(weir, tmp_path: Path, job: str, kills_wanted: int = 10, seed: int = 16, workers: tuple[int, ...] = (2,)) -> Path:
    """Runs `job` (with `{out}` for its sink's directory), killing it with SIGKILL after new
    checkpoints until it has been killed `kills_wanted` times, then lets it finish; returns
    the sink's directory. Run `i` has `workers[i % len(workers)]` workers: with several, every
    restart restores into another worker count."""
    out = tmp_path / "results"
    script = tmp_path / "job.sql"
    script.write_text(job.format(out=out))
    checkpoints = tmp_path / "checkpoints"
    base = ["run", str(script), "--checkpoint-interval", "200ms", "--checkpoint-dir", str(checkpoints)]
    rng = random.Random(seed)
    kills = 0
    for attempt in range(40):
        args = base + ["--workers", str(workers[attempt % len(workers)])]
        args += ["-s", str(checkpoints)] if completed_checkpoints(checkpoints) else []
        with open(tmp_path / "run.out", "w") as stdout:
            proc = subprocess.Popen([str(weir), *args], stdout=stdout, stderr=subprocess.PIPE, text=True)
            before = max(completed_checkpoints(checkpoints), default=0)
            deadline = time.monotonic() + 30
            while proc.poll() is None and max(completed_checkpoints(checkpoints), default=0) <= before and time.monotonic() < deadline:
                time.sleep(0.02)
            if proc.poll() is None and kills < kills_wanted:
                time.sleep(rng.uniform(0.0, 0.4))
                proc.send_signal(signal.SIGKILL)
                kills += 1
            _, stderr = proc.communicate(timeout=60)
        if proc.returncode == 0:
            break
        assert proc.returncode == -signal.SIGKILL, stderr
    assert kills == kills_wanted, f"the job finished after {kills} kills: the crash loop needs a slower source"
    assert proc.returncode == 0, stderr
    return out


def test_a_retracting_group_by_killed_ten_times_commits_its_changelog_exactly_once(weir, tmp_path):
    out = crash_loop(weir, tmp_path, RETRACTING_JOB)
    assert committed_changelog(out, ("c", "n", "lo", "hi", "total")) == expected_retracting()


# Top-2 values per key (ROW_NUMBER over a growing input): each new larger value pushes the
# second one out, a retraction the debezium-json sink writes as a delete.
TOP_N_JOB = f"""
SET 'execution.runtime-mode' = 'streaming';
CREATE TABLE events (id BIGINT)
  WITH ('connector' = 'datagen', 'rows-per-second' = '3000', 'number-of-rows' = '{ROWS // 2}',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS // 2}');
CREATE TABLE results (k BIGINT, v BIGINT, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = '{{out}}', 'format' = 'debezium-json');
INSERT INTO results SELECT k, v, rn FROM (
  SELECT k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn
  FROM (SELECT MOD(id, {GROUPS}) AS k, MOD(id * 7919, 100003) AS v FROM events))
WHERE rn <= 2;
"""


def test_a_top_n_killed_ten_times_commits_its_changelog_exactly_once(weir, tmp_path):
    out = crash_loop(weir, tmp_path, TOP_N_JOB, seed=13)
    table = committed_changelog(out, ("k", "v", "rn"))
    values: dict[int, list[int]] = defaultdict(list)
    for i in range(1, ROWS // 2 + 1):
        values[i % GROUPS].append((i * 7919) % 100003)
    expected = Counter((k, v, rn) for k, vs in values.items() for rn, v in enumerate(sorted(vs, reverse=True)[:2], start=1))
    assert table == expected


def test_bad_checkpoint_settings_name_their_key(weir, tmp_path):
    script = tmp_path / "job.sql"
    script.write_text(JOB.format(out=tmp_path / "out"))
    proc = run_weir(weir, "run", str(script), "--checkpoint-interval", "soon", "--checkpoint-dir", str(tmp_path))
    assert proc.returncode != 0 and "execution.checkpointing.interval" in proc.stderr, proc.stderr
    # Flink's minimum: it refuses shorter intervals with the same words.
    proc = run_weir(weir, "run", str(script), "--checkpoint-interval", "5ms", "--checkpoint-dir", str(tmp_path))
    assert proc.returncode != 0 and "execution.checkpointing.interval" in proc.stderr and "larger than or equal to 10 ms" in proc.stderr, proc.stderr
    proc = run_weir(weir, "run", str(script), "--checkpoint-interval", "1s")
    assert proc.returncode != 0 and "execution.checkpointing.dir" in proc.stderr, proc.stderr
    proc = run_weir(weir, "run", str(script), "-s", str(tmp_path / "nothing-here"))
    assert proc.returncode != 0 and "nothing-here" in proc.stderr, proc.stderr


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


# An interval join of two rate-limited sequences: order i meets shipment j when i and j agree
# modulo 7 and lie within 100 ms of event time (|i - j| <= 10), so each order meets 2 or 3.
INTERVAL_JOIN_JOB = f"""
SET 'execution.runtime-mode' = 'streaming';
CREATE TABLE orders (id BIGINT, ts AS TO_TIMESTAMP_LTZ(id * 10, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'datagen', 'rows-per-second' = '3000', 'number-of-rows' = '{ROWS // 2}',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS // 2}');
CREATE TABLE shipments (id BIGINT, ts AS TO_TIMESTAMP_LTZ(id * 10, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'datagen', 'rows-per-second' = '3000', 'number-of-rows' = '{ROWS // 2}',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS // 2}');
CREATE TABLE results (o BIGINT, s BIGINT) WITH ('connector' = 'filesystem', 'path' = '{{out}}', 'format' = 'csv');
INSERT INTO results SELECT o.id, s.id FROM orders o, shipments s
WHERE MOD(o.id, 7) = MOD(s.id, 7) AND s.ts BETWEEN o.ts - INTERVAL '0.1' SECOND AND o.ts + INTERVAL '0.1' SECOND;
"""

# Per key, a running count over the key's rows in event-time order (an OVER aggregate on keyed
# state): the n-th row of a key must read n. A row lost or replayed by a restore shifts every
# later count of its key, and a row written twice is a duplicate (key, seq).
SEQUENCE_JOB = f"""
SET 'execution.runtime-mode' = 'streaming';
CREATE TABLE events (id BIGINT, ts AS TO_TIMESTAMP_LTZ(id * 10, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'datagen', 'rows-per-second' = '5000', 'number-of-rows' = '{ROWS}',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '{ROWS - 1}');
CREATE TABLE results (k BIGINT, seq BIGINT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '{{out}}', 'format' = 'csv');
INSERT INTO results SELECT MOD(id, {KEYS}), id / {KEYS},
  COUNT(*) OVER (PARTITION BY MOD(id, {KEYS}) ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
FROM events;
"""

# SESSION windows with their state in RocksDB: every 500 ids the event time jumps 5 s, which
# closes every key's session (gap 1 s).
SESSION_JOB = f"""
SET 'execution.runtime-mode' = 'streaming';
SET 'state.backend.type' = 'rocksdb';
CREATE TABLE events (id BIGINT, ts AS TO_TIMESTAMP_LTZ(id * 10 + id / 500 * 5000, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'datagen', 'rows-per-second' = '4000', 'number-of-rows' = '{ROWS // 2}',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS // 2}');
CREATE TABLE results (k BIGINT, n BIGINT, total BIGINT, lo BIGINT) WITH ('connector' = 'filesystem', 'path' = '{{out}}', 'format' = 'csv');
CREATE VIEW keyed AS SELECT MOD(id, {KEYS}) AS k, id, ts FROM events;
INSERT INTO results SELECT k, COUNT(*), SUM(id), MIN(id)
FROM TABLE(SESSION(TABLE keyed PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY k, window_start, window_end;
"""


def csv_rows(out: Path) -> Counter:
    rows: Counter = Counter()
    for part in visible_parts(out):
        with open(part, newline="") as f:
            rows.update(tuple(int(v) for v in record) for record in csv.reader(f))
    return rows


def test_an_interval_join_killed_ten_times_writes_exactly_once(weir, tmp_path):
    out = crash_loop(weir, tmp_path, INTERVAL_JOIN_JOB, seed=3)
    n = ROWS // 2
    expected = Counter((i, j) for i in range(1, n + 1) for j in (i - 7, i, i + 7) if 1 <= j <= n)
    assert csv_rows(out) == expected


def test_per_key_sequences_through_keyed_state_have_no_gap_and_no_duplicate(weir, tmp_path):
    out = crash_loop(weir, tmp_path, SEQUENCE_JOB, seed=5)
    rows = csv_rows(out)
    duplicates = [row for row, count in rows.items() if count > 1]
    assert not duplicates, f"written twice: {duplicates[:3]}"
    wrong = [(k, seq, n) for k, seq, n in rows if n != seq + 1]
    assert not wrong, f"counts that skip or repeat a row of their key: {wrong[:3]}"
    assert sorted((k, seq) for k, seq, _ in rows) == sorted((i % KEYS, i // KEYS) for i in range(ROWS))


# A bounded OVER (ROWS BETWEEN 2 PRECEDING) over rows arriving out of order, with a watermark
# per record and no delay: every tenth row (id ending in 9) is 30 ms behind the watermark but
# after its key's last row, so it waits for the next watermark and is aggregated then (Flink's
# lastTriggeringTs rule); every tenth row ending in 4 is 200 ms behind, before its key's last
# row, and is dropped. Restores must keep each key's progress, its frame and its late rows
# waiting for the next watermark (one worker: one split, read in order).
LATE_OVER_JOB = f"""
SET 'execution.runtime-mode' = 'streaming';
CREATE TABLE events (id BIGINT, ts AS TO_TIMESTAMP_LTZ(
    1000 + CASE MOD(id, 10) WHEN 9 THEN (id - 3) * 10 WHEN 4 THEN (id - 20) * 10 ELSE id * 10 END, 3), WATERMARK FOR ts AS ts)
  WITH ('connector' = 'datagen', 'rows-per-second' = '5000', 'number-of-rows' = '{ROWS}',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS}');
CREATE TABLE results (k BIGINT, id BIGINT, n BIGINT, total BIGINT) WITH ('connector' = 'filesystem', 'path' = '{{out}}', 'format' = 'csv');
INSERT INTO results SELECT MOD(id, {KEYS}), id, COUNT(*) OVER w, SUM(id) OVER w
FROM events WINDOW w AS (PARTITION BY MOD(id, {KEYS}) ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW);
"""


def late_over_ts(i: int) -> int:
    return 1000 + {9: (i - 3) * 10, 4: (i - 20) * 10}.get(i % 10, i * 10)


def flink_rows_over(events: list[tuple[int, int, int]], preceding: int) -> Counter:
    """Flink's RowTimeRowsBoundedPrecedingFunction over `events` (id, key, ts) read in order
    with a watermark per record (the largest ts so far): a row at or before its key's last
    fired timer is dropped, the others wait for the watermark to pass their time."""
    pending: dict[int, dict[int, list[int]]] = defaultdict(dict)
    last: dict[int, int] = {}
    frame: dict[int, list[int]] = defaultdict(list)
    out: Counter = Counter()

    def fire(watermark: float) -> None:
        for key, times in pending.items():
            for t in sorted(t for t in times if t <= watermark):
                for i in times.pop(t):
                    frame[key] = (frame[key] + [i])[-(preceding + 1) :]
                    out[(key, i, len(frame[key]), sum(frame[key]))] += 1
                last[key] = t

    watermark = None
    for i, key, ts in events:
        if key not in last or ts > last[key]:
            pending[key].setdefault(ts, []).append(i)
        if watermark is None or ts > watermark:
            watermark = ts
            fire(watermark)
    fire(float("inf"))
    return out


def test_a_bounded_over_with_late_rows_killed_ten_times_writes_exactly_once(weir, tmp_path):
    out = crash_loop(weir, tmp_path, LATE_OVER_JOB, seed=13, workers=(1,))
    expected = flink_rows_over([(i, i % KEYS, late_over_ts(i)) for i in range(1, ROWS + 1)], 2)
    kept = {i for _, i, _, _ in expected}
    assert any(i % 10 == 9 for i in kept) and not any(i % 10 == 4 and i > 20 for i in kept), "the input has kept and dropped late rows"
    assert csv_rows(out) == expected


def test_session_windows_on_rocksdb_killed_ten_times_write_exactly_once(weir, tmp_path):
    out = crash_loop(weir, tmp_path, SESSION_JOB, seed=7)
    sessions: dict[tuple, list[int]] = defaultdict(list)
    for i in range(1, ROWS // 2 + 1):
        sessions[(i % KEYS, i // 500)].append(i)
    expected = Counter((k, len(ids), sum(ids), min(ids)) for (k, _), ids in sessions.items())
    assert csv_rows(out) == expected


# A regular join (no time bound: both sides' rows stay in keyed state) of two rate-limited
# sequences on id modulo 5000: order i meets every shipment j with the same residue.
REGULAR_JOIN_JOB = f"""
SET 'execution.runtime-mode' = 'streaming';
CREATE TABLE orders (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '3000', 'number-of-rows' = '{ROWS // 4}',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS // 4}');
CREATE TABLE shipments (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '3000', 'number-of-rows' = '{ROWS // 4}',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '{ROWS // 4}');
CREATE TABLE results (o BIGINT, s BIGINT) WITH ('connector' = 'filesystem', 'path' = '{{out}}', 'format' = 'csv');
INSERT INTO results SELECT o.id, s.id FROM orders o JOIN shipments s ON MOD(o.id, 5000) = MOD(s.id, 5000) WHERE o.id <= s.id;
"""


def test_a_regular_join_killed_ten_times_writes_exactly_once(weir, tmp_path):
    out = crash_loop(weir, tmp_path, REGULAR_JOIN_JOB, seed=11)
    n = ROWS // 4
    expected = Counter((i, j) for i in range(1, n + 1) for j in range(i, n + 1, 5000))
    assert csv_rows(out) == expected
