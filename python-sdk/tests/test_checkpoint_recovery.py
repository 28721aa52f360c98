"""Checkpoints and recovery of a Python DataStream job, with real processes and real SIGKILL
(as ``tests/python/test_checkpoint_recovery.py`` does for SQL): ``checkpointing/keyed_job.py``
(a rate-limited generator source, a ``KeyedProcessFunction`` with ``ValueState`` and event-time
timers, a ``FileSink``, checkpoints every 200 ms; or a rolling ``KeyedStream.reduce``) is killed
at random moments, each time after a new checkpoint has completed, and restarted from its newest
checkpoint until it finishes. Its visible output must be, as a multiset, what a plain Python
fold of the input gives: every bucket's sum and count once, and per key the sequence numbers 1,
2, ... with the ids in order, no gap and no duplicate (the reduce: each running count and sum
once). ``checkpointing/udaf_job.py``, a Table API GROUP BY with Python aggregates over a
retracting input, is crash-looped the same way: its committed changelog must add up to the table
of an uncrashed run; so is ``checkpointing/udaf_window_job.py``, Python aggregates over TUMBLE,
HOP and SESSION windows."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "checkpointing"))
import keyed_job  # noqa: E402
import udaf_job  # noqa: E402
import udaf_window_job  # noqa: E402

JOB = Path(__file__).parent / "checkpointing" / "keyed_job.py"
UDAF_JOB = Path(__file__).parent / "checkpointing" / "udaf_job.py"
UDAF_WINDOW_JOB = Path(__file__).parent / "checkpointing" / "udaf_window_job.py"


def expected_lines(kind: str) -> Counter[str]:
    """The job's output by a plain fold over ids 1..ROWS."""
    lines: Counter[str] = Counter()
    if kind == "reduce":
        running: dict[int, tuple[int, int]] = {}
        for i in range(1, keyed_job.ROWS + 1):
            count, total = running.get(i % keyed_job.KEYS, (0, 0))
            running[i % keyed_job.KEYS] = (count + 1, total + i)
            lines[f"R,{i % keyed_job.KEYS},{count + 1},{total + i}"] += 1
        return lines
    seq: dict[int, int] = {}
    buckets: dict[tuple[int, int], list[int]] = {}
    for i in range(1, keyed_job.ROWS + 1):
        key = i % keyed_job.KEYS
        seq[key] = seq.get(key, 0) + 1
        lines[f"S,{key},{seq[key]},{i}"] += 1
        slot = buckets.setdefault((key, i * 10 // keyed_job.BUCKET_MS), [0, 0])
        slot[0] += i
        slot[1] += 1
    for (key, bucket), (total, count) in buckets.items():
        lines[f"W,{key},{bucket},{total},{count}"] += 1
    return lines


def completed_checkpoints(root: Path) -> list[int]:
    return sorted(int(d.name[4:]) for d in root.glob("chk-*") if (d / "MANIFEST.json").exists())


def visible_lines(out: Path) -> Counter[str]:
    """The lines of the sink's visible files (not hidden in-progress ones)."""
    lines: Counter[str] = Counter()
    for f in out.rglob("*"):
        if f.is_file() and not f.name.startswith("."):
            lines.update(line for line in f.read_text().splitlines() if line)
    return lines


def crash_loop(job: list[str], checkpoints: Path, seed: int = 16) -> None:
    """Runs the job script with arguments ``job`` then the restore argument (the checkpoint
    directory once it holds a complete checkpoint, else ``-``), killing it with SIGKILL at a
    random moment after each new checkpoint, ten times, then lets it finish."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    rng = random.Random(seed)
    kills = 0
    proc = None
    for _ in range(40):
        restore = str(checkpoints) if completed_checkpoints(checkpoints) else "-"
        proc = subprocess.Popen([sys.executable, *job[:3], restore, *job[3:]], env=env, stderr=subprocess.PIPE, text=True)
        before = max(completed_checkpoints(checkpoints), default=0)
        deadline = time.monotonic() + 60
        while proc.poll() is None and max(completed_checkpoints(checkpoints), default=0) <= before and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is None and kills < 10:
            time.sleep(rng.uniform(0.0, 0.4))
            proc.send_signal(signal.SIGKILL)
            kills += 1
        _, stderr = proc.communicate(timeout=120)
        if proc.returncode == 0:
            break
        assert proc.returncode == -signal.SIGKILL, stderr
    assert proc is not None and proc.returncode == 0
    assert kills == 10, f"the job finished after {kills} kills: the crash loop needs a slower source"


@pytest.mark.parametrize("kind", ["process", "reduce"])
def test_a_keyed_job_killed_ten_times_writes_exactly_once(tmp_path: Path, kind: str) -> None:
    out, checkpoints = tmp_path / "out", tmp_path / "checkpoints"
    crash_loop([str(JOB), str(out), str(checkpoints), kind], checkpoints)
    got = visible_lines(out)
    expected = expected_lines(kind)
    twice = [line for line, n in got.items() if n > 1]
    assert not twice, f"lines written more than once across restarts: {twice[:3]}"
    missing = expected - got
    assert not missing, f"{sum(missing.values())} lines lost, e.g. {list(missing)[:3]}"
    assert got == expected


def committed_changelog(out: Path, columns: tuple[str, ...]) -> Counter[tuple[object, ...]]:
    """The table of ``columns`` the visible Debezium change events add up to (creates minus
    deletes)."""
    table: Counter[tuple[object, ...]] = Counter()
    for part in out.rglob("*"):
        if not part.is_file() or part.name.startswith("."):
            continue
        for line in part.read_text().splitlines():
            event = json.loads(line)
            row = event["after"] if event["op"] == "c" else event["before"]
            table[tuple(row[c] for c in columns)] += 1 if event["op"] == "c" else -1
    negative = [row for row, n in table.items() if n < 0]
    assert not negative, f"deleted more often than created: {negative[:3]}"
    return +table


def test_python_aggregates_killed_ten_times_commit_the_uncrashed_changelog(tmp_path: Path) -> None:
    """A GROUP BY with Python aggregates (and built-in ones) over a retracting input, with
    checkpoints: killed ten times and restored, its committed changelog adds up to the table of
    an uncrashed run, which is the plain fold of the input."""
    columns = ("c", "n", "spread", "total", "hi")
    uncrashed = tmp_path / "uncrashed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    subprocess.run([sys.executable, str(UDAF_JOB), str(uncrashed), "-", "-"], env=env, check=True, timeout=120)
    assert committed_changelog(uncrashed, columns) == Counter(udaf_job.expected())
    out, checkpoints = tmp_path / "out", tmp_path / "checkpoints"
    crash_loop([str(UDAF_JOB), str(out), str(checkpoints)], checkpoints, seed=7)
    assert committed_changelog(out, columns) == committed_changelog(uncrashed, columns)


@pytest.mark.parametrize("kind", ["tumble", "hop", "session"])
def test_python_window_aggregates_killed_ten_times_commit_the_uncrashed_rows(tmp_path: Path, kind: str) -> None:
    """Python aggregates (and built-in ones) over TUMBLE, HOP or SESSION windows, with checkpoints: run
    on keyed state, killed ten times and restored, the committed rows are those of an uncrashed
    run, which are those of the arrangement the job runs on without checkpoints, and the plain
    fold of the input."""
    columns = ("k", "window_start", "window_end", "n", "spread", "total", "hi")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    runs = {}
    for name, checkpoints in [("arranged", "-"), ("uncrashed", str(tmp_path / "uncrashed-checkpoints"))]:
        out = tmp_path / name
        subprocess.run([sys.executable, str(UDAF_WINDOW_JOB), str(out), checkpoints, "-", kind], env=env, check=True, timeout=120)
        runs[name] = committed_changelog(out, columns)
    without_bounds: Counter[tuple[object, ...]] = Counter()
    for row, n in runs["arranged"].items():
        without_bounds[row[:1] + row[3:]] += n
    assert without_bounds == udaf_window_job.expected(kind)
    assert runs["uncrashed"] == runs["arranged"]
    out, checkpoints = tmp_path / "out", tmp_path / "checkpoints"
    crash_loop([str(UDAF_WINDOW_JOB), str(out), str(checkpoints), kind], checkpoints, seed=5)
    assert committed_changelog(out, columns) == runs["uncrashed"]


def test_checkpoint_settings_are_the_job_configuration(tmp_path: Path) -> None:
    from weir.datastream import CheckpointingMode, StreamExecutionEnvironment
    from weir.errors import UnsupportedError

    env = StreamExecutionEnvironment.get_execution_environment()
    assert env.get_checkpoint_interval() == -1 and not env.get_checkpoint_config().is_checkpointing_enabled()
    env.enable_checkpointing(250, CheckpointingMode.AT_LEAST_ONCE)
    config = env.get_checkpoint_config()
    config.set_checkpoint_timeout(5000).set_tolerable_checkpoint_failure_number(2).set_max_concurrent_checkpoints(1)
    config.set_checkpoint_storage_dir(str(tmp_path))
    assert env._config()["execution.checkpointing.interval"] == "250 ms"
    assert env._config()["execution.checkpointing.timeout"] == "5000 ms"
    assert env._config()["execution.checkpointing.tolerable-failed-checkpoints"] == "2"
    assert env._config()["execution.checkpointing.dir"] == str(tmp_path)
    assert (env.get_checkpoint_interval(), env.get_checkpointing_mode(), config.get_checkpoint_timeout()) == (250, CheckpointingMode.AT_LEAST_ONCE, 5000)
    with pytest.raises(UnsupportedError, match="one checkpoint at a time"):
        config.set_max_concurrent_checkpoints(2)
    with pytest.raises(ValueError, match="positive"):
        env.enable_checkpointing(0)
    with pytest.raises(ValueError, match="larger than or equal to 10 ms"):
        env.enable_checkpointing(9)


def test_checkpointing_without_a_directory_names_the_key() -> None:
    from weir.datastream import StreamExecutionEnvironment

    env = StreamExecutionEnvironment.get_execution_environment()
    env.enable_checkpointing(100)
    with pytest.raises(Exception, match="execution.checkpointing.dir"):
        list(env.from_collection([1, 2, 3]).map(lambda x: x).execute_and_collect())


def test_the_table_api_sets_checkpointing_by_its_keys(tmp_path: Path) -> None:
    from weir.table import EnvironmentSettings, TableEnvironment

    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    t_env.get_config().set("execution.checkpointing.interval", "100 ms")
    t_env.get_config().set("execution.checkpointing.dir", str(tmp_path / "ck"))
    t_env.execute_sql("CREATE TABLE t (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '50', 'number-of-rows' = '40', "
                      "'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '40')")
    t_env.execute_sql(f"CREATE TABLE s (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '{tmp_path / 'out'}', 'format' = 'csv')")
    t_env.execute_sql("INSERT INTO s SELECT id FROM t").wait()
    assert completed_checkpoints(tmp_path / "ck"), "a 0.8 s job with a 100 ms interval completes checkpoints"
    assert sorted(int(line) for line in visible_lines(tmp_path / "out").elements()) == list(range(1, 41))


def test_a_reduce_defined_before_checkpointing_is_refused(tmp_path: Path) -> None:
    from weir.datastream import StreamExecutionEnvironment
    from weir.errors import UnsupportedError

    env = StreamExecutionEnvironment.get_execution_environment()
    reduced = env.from_collection([(1, 2), (1, 3)]).key_by(lambda t: t[0]).reduce(lambda a, b: (a[0], a[1] + b[1]))
    env.enable_checkpointing(100).get_checkpoint_config().set_checkpoint_storage_dir(str(tmp_path))
    with pytest.raises(UnsupportedError, match="enable checkpointing first"):
        list(reduced.execute_and_collect())
