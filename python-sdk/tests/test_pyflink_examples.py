"""PyFlink's own example programs print what PyFlink prints, with only ``pyflink`` replaced by
``weir`` in their imports (issue #14 part 5).

The programs are copies of ``pyflink/examples`` from the ``apache-flink`` package (Apache
License 2.0; ``pyflink_examples/src``) and the expected output is what PyFlink printed for them
(``pyflink_examples/expected``), both written by ``pyflink_examples/record.py``, which this test
does not run. ``pyflink_examples/examples.json`` says how each output is compared and why a
program is left out."""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys
from collections import Counter, defaultdict

import pytest

HERE = pathlib.Path(__file__).resolve().parent / "pyflink_examples"
MANIFEST = json.loads((HERE / "examples.json").read_text())
COMPARED = [
    pytest.param(e, id=e["path"], marks=[pytest.mark.xfail(reason=e["known_gap"], strict=True)] if "known_gap" in e else [])
    for e in MANIFEST["examples"]
    if "skip" not in e
]
SUBTASK = re.compile(r"^\d+> ")


def _lines(text: str) -> list[str]:
    return [SUBTASK.sub("", line) for line in text.splitlines() if line.strip()]


def _materialized(lines: list[str]) -> tuple[list[str], Counter[str]]:
    """The other lines in order, and the rows a printed changelog leaves (``+I``/``+U`` add a
    row, ``-U``/``-D`` take it back)."""
    other: list[str] = []
    rows: Counter[str] = Counter()
    for line in lines:
        kind, row = line[:2], line[2:]
        if kind in ("+I", "+U"):
            rows[row] += 1
        elif kind in ("-U", "-D"):
            rows[row] -= 1
        else:
            other.append(line)
    return other, +rows


def _by_key(lines: list[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        groups[line.split(",", 1)[0]].append(line)
    return dict(groups)


@pytest.mark.parametrize("entry", COMPARED)
def test_example_prints_what_pyflink_prints(entry: dict[str, str], tmp_path: pathlib.Path) -> None:
    source = (HERE / "src" / entry["path"]).read_text()
    program = tmp_path / pathlib.Path(entry["path"]).name
    program.write_text(re.sub(r"\bpyflink\b", "weir", source))
    run = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    got = _lines(run.stdout)
    expected = _lines((HERE / "expected" / pathlib.Path(entry["path"]).with_suffix(".out")).read_text())
    if entry["order"] == "exact":
        assert got == expected
    elif entry["order"] == "per-key":
        assert _by_key(got) == _by_key(expected)
    elif entry["order"] == "changelog":
        assert _materialized(got) == _materialized(expected)
    else:
        assert sorted(got) == sorted(expected)


def test_every_shipped_example_is_compared_or_left_out_with_a_reason() -> None:
    listed = {e["path"] for e in MANIFEST["examples"]}
    assert all(e.get("skip") or (HERE / "src" / e["path"]).exists() for e in MANIFEST["examples"])
    assert len(listed) == len(MANIFEST["examples"])
    assert all(e.get("order") in ("exact", "multiset", "per-key", "changelog") for e in MANIFEST["examples"] if "skip" not in e)
