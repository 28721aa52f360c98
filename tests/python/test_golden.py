"""Golden tests: each case runs a job with Weir and the equivalent query with DuckDB (an
independent engine, installed from PyPI into the test virtualenv), and compares the result
multisets. Cases live in tests/golden/<case>/ (job.json) and tests/sql/<case>/ (query.sql),
each with an oracle.sql and its input files; paths are relative to the case directory.
A case with an `oracle.streaming.sql` also runs in streaming mode, on one worker (rows arrive
in file order), where watermarks decide which rows are late; where streaming gives the same
rows as batch it is a symlink to `oracle.sql`.

Each case also has its physical plan checked in beside it (`job.plan`: `weir explain` in batch
and in streaming mode), so a change of operator choice is a reviewed diff. Regenerate the plans
with `WEIR_UPDATE_PLANS=1`."""

import os
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, final_rows, json_changes, run_weir
from normalize import normalize_decimal_text, normalize_row, sort_key

CASE_DIRS = sorted(p for p in [*(REPO / "tests/golden").glob("*/"), *(REPO / "tests/sql").glob("*/")] if (p / "oracle.sql").exists())


def weir_job_file(case: Path) -> Path:
    for name in ("job.json", "query.sql"):
        if (case / name).exists():
            return case / name
    raise AssertionError(f"{case} has neither job.json nor query.sql")


def oracle_rows(case: Path, oracle: str = "oracle.sql"):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    sql = (case / oracle).read_text()
    import os

    cwd = os.getcwd()
    os.chdir(case)
    try:
        result = con.execute(sql)
        types = [str(d[1]).lower() for d in result.description]
        rows = result.fetchall()
    finally:
        os.chdir(cwd)
    kinds = ["decimal" if t.startswith("decimal") else t for t in types]
    return [normalize_row(r, kinds) for r in rows], kinds


@pytest.mark.parametrize("case", CASE_DIRS, ids=[f"{p.parent.name}/{p.name}" for p in CASE_DIRS])
@pytest.mark.parametrize("workers", [1, 3])
def test_matches_duckdb(weir, case, workers):
    job = weir_job_file(case)
    proc = run_weir(weir, "run", job.name, "--mode", "batch", "--workers", str(workers), "--output", "json", cwd=case)
    assert proc.returncode == 0, proc.stderr
    expected, kinds = oracle_rows(case)
    got = [normalize_row(r, kinds) for r in final_rows(json_changes(proc.stdout))]
    assert sorted(got, key=sort_key) == sorted(expected, key=sort_key)
    ordered = (case / "ORDERED").exists()
    if ordered:
        assert got == expected, "rows must come out in ORDER BY order"


STREAMING_CASES = [p for p in CASE_DIRS if (p / "oracle.streaming.sql").exists()]


@pytest.mark.parametrize("case", STREAMING_CASES, ids=[f"{p.parent.name}/{p.name}" for p in STREAMING_CASES])
def test_streaming_matches_duckdb(weir, case):
    job = weir_job_file(case)
    proc = run_weir(weir, "run", job.name, "--mode", "streaming", "--workers", "1", "--output", "json", cwd=case)
    assert proc.returncode == 0, proc.stderr
    expected, kinds = oracle_rows(case, "oracle.streaming.sql")
    got = [normalize_row(r, kinds) for r in final_rows(json_changes(proc.stdout))]
    assert sorted(got, key=sort_key) == sorted(expected, key=sort_key)


def physical_plans(weir, case: Path) -> str:
    """`weir explain` of the case's job in batch and in streaming mode (or the error a mode
    fails with). core/tests/golden_plans.rs checks the same files without the binary."""
    job = weir_job_file(case)
    sections = []
    for mode in ("batch", "streaming"):
        proc = run_weir(weir, "explain", job.name, "--mode", mode, cwd=case)
        if proc.returncode == 0:
            text = proc.stdout
        else:
            lines = [line for line in proc.stderr.splitlines() if line.startswith("error: ")] or ["error: (no message)"]
            text = f"{lines[-1]}\n"
        sections.append(f"== {mode} ==\n{text}")
    return "\n".join(sections)


@pytest.mark.parametrize("case", CASE_DIRS, ids=[f"{p.parent.name}/{p.name}" for p in CASE_DIRS])
def test_physical_plan_is_checked_in(weir, case):
    plans = physical_plans(weir, case)
    checked_in = case / "job.plan"
    if os.environ.get("WEIR_UPDATE_PLANS") == "1":
        checked_in.write_text(plans)
    assert checked_in.exists(), f"{checked_in} is missing: run the golden tests with WEIR_UPDATE_PLANS=1 and review the plans"
    assert plans == checked_in.read_text(), f"the physical plan of {case.name} changed: review it, then regenerate with WEIR_UPDATE_PLANS=1"


def test_cases_exist():
    assert len(CASE_DIRS) >= 5, "golden cases are missing"


def test_decimal_normalization():
    assert normalize_decimal_text("1.50") == "1.5"
    assert normalize_decimal_text("0.000") == "0"
