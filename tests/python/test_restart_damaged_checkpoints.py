"""Damaged checkpoints and an unwritable checkpoint directory (issue #16), with real processes.

Every file a checkpoint lists has its size and CRC-32 in the manifest. A newest checkpoint
whose state file has other bytes of the same length (only the checksum can tell) or was cut
short is skipped for the one before, and the log says which; a job whose checkpoint
directory cannot be written goes on, counting failed checkpoints up to
`execution.checkpointing.tolerable-failed-checkpoints`, then fails saying so.
"""

import json
import re
import signal
import subprocess
import time
from pathlib import Path

from test_checkpoint_recovery import JOB, completed_checkpoints, expected_windows, visible_rows


def state_files(checkpoint: Path) -> list[Path]:
    manifest = json.loads((checkpoint / "MANIFEST.json").read_text())
    return [checkpoint / part["name"] / f["path"] for part in manifest["parts"] for f in part["files"] if f["bytes"] > 0]


def run_until_checkpoints(weir, script: Path, checkpoints: Path, n: int, *extra: str) -> None:
    """Runs the job until `n` checkpoints are retained, then kills it with SIGKILL."""
    proc = subprocess.Popen([str(weir), "run", str(script), "--workers", "2", "--checkpoint-interval", "200ms",
                             "--checkpoint-dir", str(checkpoints), *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while len(completed_checkpoints(checkpoints)) < n and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, proc.communicate()[1]
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)


def test_a_damaged_newest_checkpoint_is_skipped_for_the_one_before(weir, tmp_path):
    script = tmp_path / "job.sql"
    script.write_text(JOB.format(out=tmp_path / "out").replace("'5000'", "'2500'"))
    checkpoints = tmp_path / "checkpoints"
    retain = ("-D", "execution.checkpointing.num-retained=3")
    run_until_checkpoints(weir, script, checkpoints, 3, *retain)
    *older, newest = completed_checkpoints(checkpoints)
    files = state_files(checkpoints / f"chk-{newest:020d}")
    assert files, "the window operator's state is in the checkpoint"
    data = bytearray(files[0].read_bytes())
    data[len(data) // 2] ^= 0xFF
    files[0].write_bytes(bytes(data))
    proc = subprocess.run([str(weir), "run", str(script), "--workers", "2", "-s", str(checkpoints)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    log = re.sub(r"\x1b\[[0-9;]*m", "", proc.stderr)
    assert "skipping a damaged or incomplete checkpoint" in log and f"checkpoint={newest}" in log and "CRC-32" in log, log
    # Restored from an older checkpoint: every window is there (some, committed after it,
    # twice: going back past a committed checkpoint repeats its output, as it would in Flink).
    assert {key for key, _ in visible_rows(tmp_path / "out")} == set(expected_windows())
    truncated = checkpoints / f"chk-{older[-1]:020d}"
    with open(state_files(truncated)[0], "r+b") as f:
        f.truncate(3)
    proc = subprocess.run([str(weir), "run", str(script), "--workers", "2", "-s", str(truncated)], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "size is 3 bytes" in proc.stderr, proc.stderr


def test_an_unwritable_checkpoint_directory_fails_the_job_after_the_tolerated_failures(weir, tmp_path):
    script = tmp_path / "job.sql"
    script.write_text(JOB.format(out=tmp_path / "out").replace("'5000'", "'2500'"))
    checkpoints = tmp_path / "checkpoints"
    proc = subprocess.Popen([str(weir), "run", str(script), "--checkpoint-interval", "100ms", "--checkpoint-dir", str(checkpoints),
                             "-D", "execution.checkpointing.tolerable-failed-checkpoints=2", "-D", "restart-strategy.type=none"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not completed_checkpoints(checkpoints) and time.monotonic() < deadline:
        time.sleep(0.02)
    # Not even root can write below a regular file: every later checkpoint fails.
    checkpoints.rename(tmp_path / "moved")
    checkpoints.write_text("not a directory")
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert stderr.count("checkpoint failed") == 3, stderr
    assert "3 failed checkpoint(s) in a row exceed execution.checkpointing.tolerable-failed-checkpoints (2)" in stderr.splitlines()[-1], stderr
