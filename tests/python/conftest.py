"""Shared fixtures for Weir's end-to-end tests: the `weir` binary and helpers to run it."""

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def weir_binary() -> Path:
    """The release `weir` binary built by scripts/test.sh (or $WEIR_BIN)."""
    explicit = os.environ.get("WEIR_BIN")
    if explicit:
        return Path(explicit)
    target = os.environ.get("CARGO_TARGET_DIR", str(Path.home() / ".cache/weir/target"))
    return Path(target) / "release" / "weir"


@pytest.fixture(scope="session")
def weir() -> Path:
    path = weir_binary()
    if not path.exists():
        pytest.fail(f"weir binary not found at {path}: run `cargo build --release --bin weir` first")
    return path


def run_weir(weir: Path, *args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs `weir args...` and returns the finished process (text mode)."""
    return subprocess.run([str(weir), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def json_changes(stdout: str) -> list[tuple[str, list]]:
    """Parses `--output json` lines into (op, row) pairs."""
    changes = []
    for line in stdout.splitlines():
        if line.strip():
            event = json.loads(line)
            changes.append((event["op"], event["row"]))
    return changes


def final_rows(changes: list[tuple[str, list]]) -> list[list]:
    """Replays a changelog: the rows standing at the end (a multiset, as a list)."""
    rows: list[list] = []
    for op, row in changes:
        if op in ("+I", "+U"):
            rows.append(row)
        else:
            assert row in rows, f"retraction of a row that is not there: {op} {row}"
            rows.remove(row)
    return rows
