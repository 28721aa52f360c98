"""Restoring a checkpoint into another number of workers (`weir run --workers N -s DIR`).

Keyed state is partitioned into key groups (`pipeline.max-parallelism`, 128 by default), so a
checkpoint taken with 2 workers restores into 1, 2 or 3: each worker takes the state of its key
groups from the parts of the old workers, the sources' splits go on where they stood (shared
out among the new workers), and the sink writers' pending files are published by the new
ones. The output must be exactly that of a run without a failure, folded in plain Python.
"""

import shutil
import signal
import subprocess
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from conftest import run_weir
from test_checkpoint_recovery import (
    JOB,
    KEYS,
    RETRACTING_JOB,
    ROWS,
    SEQUENCE_JOB,
    SESSION_JOB,
    committed_changelog,
    completed_checkpoints,
    crash_loop,
    csv_rows,
    expected_retracting,
    expected_windows,
    visible_rows,
)


def kill_after_checkpoints(weir, tmp_path: Path, job: str, workers: int, wanted: int = 3) -> tuple[Path, Path]:
    """Runs `job` with `workers` workers until checkpoint `wanted` has completed, then kills it
    with SIGKILL; returns its checkpoint and sink directories."""
    out, checkpoints = tmp_path / "results", tmp_path / "checkpoints"
    script = tmp_path / "job.sql"
    script.write_text(job.format(out=out))
    args = ["run", str(script), "--workers", str(workers), "--checkpoint-interval", "100ms", "--checkpoint-dir", str(checkpoints)]
    proc = subprocess.Popen([str(weir), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while proc.poll() is None and max(completed_checkpoints(checkpoints), default=0) < wanted and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, f"the job ended before checkpoint {wanted}: {proc.communicate()[1]}"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    return checkpoints, out


def restore_into(weir, tmp_path: Path, job: str, checkpoints: Path, out: Path, workers: int) -> Path:
    """Finishes the killed job from copies of its checkpoints and sink directory with `workers`
    workers; returns the copy of the sink directory."""
    run = tmp_path / f"into-{workers}"
    shutil.copytree(checkpoints, run / "checkpoints")
    shutil.copytree(out, run / "results")
    script = run / "job.sql"
    script.write_text(job.format(out=run / "results"))
    proc = run_weir(weir, "run", str(script), "--workers", str(workers), "-s", str(run / "checkpoints"))
    assert proc.returncode == 0, proc.stderr
    return run / "results"


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_window_checkpoint_of_two_workers_restores_into_any_count(weir, tmp_path, workers):
    checkpoints, out = kill_after_checkpoints(weir, tmp_path, JOB, workers=2)
    rows = visible_rows(restore_into(weir, tmp_path, JOB, checkpoints, out, workers))
    written_twice = [key for key, count in Counter(key for key, _ in rows).items() if count > 1]
    assert not written_twice, f"windows written more than once: {written_twice[:3]}"
    assert dict(rows) == expected_windows()


@pytest.mark.parametrize("workers", [1, 3])
def test_a_retracting_group_by_of_two_workers_restores_into_another_count(weir, tmp_path, workers):
    checkpoints, out = kill_after_checkpoints(weir, tmp_path, RETRACTING_JOB, workers=2)
    restored = restore_into(weir, tmp_path, RETRACTING_JOB, checkpoints, out, workers)
    assert committed_changelog(restored, ("c", "n", "lo", "hi", "total")) == expected_retracting()


def test_per_key_sequences_stay_whole_when_every_restart_changes_the_worker_count(weir, tmp_path):
    out = crash_loop(weir, tmp_path, SEQUENCE_JOB, seed=21, workers=(2, 3, 1))
    rows = csv_rows(out)
    duplicates = [row for row, count in rows.items() if count > 1]
    assert not duplicates, f"written twice: {duplicates[:3]}"
    wrong = [(k, seq, n) for k, seq, n in rows if n != seq + 1]
    assert not wrong, f"counts that skip or repeat a row of their key: {wrong[:3]}"


def test_rocksdb_session_state_follows_its_keys_into_other_worker_counts(weir, tmp_path):
    out = crash_loop(weir, tmp_path, SESSION_JOB, kills_wanted=6, seed=23, workers=(3, 1, 2))
    sessions: dict[tuple, list[int]] = defaultdict(list)
    for i in range(1, ROWS // 2 + 1):
        sessions[(i % KEYS, i // 500)].append(i)
    assert csv_rows(out) == Counter((k, len(ids), sum(ids), min(ids)) for (k, _), ids in sessions.items())


def test_another_number_of_key_groups_is_refused_naming_both(weir, tmp_path):
    checkpoints, _ = kill_after_checkpoints(weir, tmp_path, JOB, workers=2, wanted=1)
    script = tmp_path / "again.sql"
    script.write_text("SET 'pipeline.max-parallelism' = '64';\n" + JOB.format(out=tmp_path / "again"))
    proc = run_weir(weir, "run", str(script), "--workers", "2", "-s", str(checkpoints))
    assert proc.returncode != 0 and "pipeline.max-parallelism 128" in proc.stderr and "64" in proc.stderr, proc.stderr
    proc = run_weir(weir, "run", str(script), "--workers", "65")
    assert proc.returncode != 0 and "parallelism 65 exceeds pipeline.max-parallelism 64" in proc.stderr, proc.stderr
