"""End-to-end tests of the `weir` command line: output format, exit codes, error messages."""

import json
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import REPO, final_rows, json_changes, run_weir

BIDS_SCHEMA = [
    {"name": "auction", "type": "BIGINT"},
    {"name": "bidder", "type": "BIGINT"},
    {"name": "price", "type": "BIGINT"},
    {"name": "ts_ms", "type": "BIGINT"},
]


def groupby_job(path: str, options: dict | None = None, sink: str = "print") -> dict:
    return {
        "nodes": [
            {"kind": "source", "id": "bids", "connector": "filesystem",
             "options": {"path": path, "format": "csv", **(options or {})}, "schema": BIDS_SCHEMA},
            {"kind": "aggregate", "id": "per_auction", "input": "bids",
             "group_by": [{"name": "auction", "expr": {"column": "auction"}}],
             "aggregates": [{"name": "bids", "function": "count"},
                            {"name": "total", "function": "sum", "args": [{"column": "price"}]},
                            {"name": "max_price", "function": "max", "args": [{"column": "price"}]}]},
            {"kind": "sink", "id": "out", "input": "per_auction", "connector": sink},
        ]
    }


def write_job(tmp_path: Path, job: dict, name: str = "job.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(job))
    return path


def expected_example_lines() -> list[str]:
    groups = defaultdict(list)
    for line in (REPO / "examples/data/bids.csv").read_text().splitlines():
        auction, _bidder, price, _ts = map(int, line.split(","))
        groups[auction].append(price)
    return sorted(f"+I[{a}, {len(p)}, {sum(p)}, {max(p)}]" for a, p in groups.items())


def test_example_job_prints_flink_changelog(weir):
    proc = run_weir(weir, "run", "examples/bids-per-auction.json", "--mode", "batch", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == expected_example_lines()


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_worker_count_does_not_change_results(weir, workers):
    proc = run_weir(weir, "run", "examples/bids-per-auction.json", "--mode", "batch", "--workers", str(workers), cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == expected_example_lines()


def test_streaming_changelog_replays_to_batch_result(weir):
    proc = run_weir(weir, "run", "examples/bids-per-auction.json", "--mode", "streaming", "--workers", "2", "--output", "json", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    rows = sorted(final_rows(json_changes(proc.stdout)))
    expected = sorted(json.loads("[" + line[3:-1] + "]") for line in expected_example_lines())
    assert rows == expected


def test_malformed_csv_fails_with_file_line_and_column(weir, tmp_path):
    data = tmp_path / "bids.csv"
    data.write_text("1,2,300,1000\n1,2,3x0,1001\n")
    proc = run_weir(weir, "run", str(write_job(tmp_path, groupby_job(str(data)))), "--mode", "batch")
    assert proc.returncode != 0
    assert f'{data}:2: column price: cannot parse "3x0" as BIGINT' in proc.stderr
    assert "panicked" not in proc.stderr


def test_ignore_parse_errors_skips_and_counts(weir, tmp_path):
    data = tmp_path / "bids.csv"
    data.write_text("1,2,300,1000\n1,2,3x0,1001\n1,3,500,1002\n")
    job = groupby_job(str(data), {"csv.ignore-parse-errors": "true"})
    proc = run_weir(weir, "run", str(write_job(tmp_path, job)), "--mode", "batch")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["+I[1, 2, 800, 500]"]
    assert "skipped 1 malformed record" in proc.stderr


def test_invalid_spec_names_the_json_path(weir, tmp_path):
    job = groupby_job("examples/data/bids.csv")
    job["nodes"][1]["group_by"][0]["expr"] = {"column": "auctoin"}
    proc = run_weir(weir, "run", str(write_job(tmp_path, job)), cwd=REPO)
    assert proc.returncode != 0
    assert 'nodes[1].group_by[0].expr.column: no column "auctoin"' in proc.stderr
    assert 'did you mean "auction"' in proc.stderr


def test_missing_file_fails_before_running(weir, tmp_path):
    proc = run_weir(weir, "run", str(write_job(tmp_path, groupby_job(str(tmp_path / "nope.csv")))))
    assert proc.returncode != 0
    assert "nodes[0].options.path" in proc.stderr
    assert "nope.csv" in proc.stderr


def test_unknown_connector_and_option(weir, tmp_path):
    job = groupby_job("examples/data/bids.csv", sink="kafkaa")
    proc = run_weir(weir, "run", str(write_job(tmp_path, job)), cwd=REPO)
    assert proc.returncode != 0
    assert "nodes[2].connector" in proc.stderr and "kafkaa" in proc.stderr
    job = groupby_job("examples/data/bids.csv", {"csv.field-delimter": ";"})
    proc = run_weir(weir, "run", str(write_job(tmp_path, job)), cwd=REPO)
    assert proc.returncode != 0
    assert "nodes[0].options.csv.field-delimter" in proc.stderr


def test_malformed_json_and_unknown_kind(weir, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"nodes": [')
    proc = run_weir(weir, "run", str(bad))
    assert proc.returncode != 0 and "malformed JSON at line 1" in proc.stderr
    job = groupby_job("examples/data/bids.csv")
    job["nodes"][1]["kind"] = "agregate"
    proc = run_weir(weir, "run", str(write_job(tmp_path, job)), cwd=REPO)
    assert proc.returncode != 0 and 'nodes[1].kind: unknown node kind "agregate"' in proc.stderr


def test_missing_job_file_and_bad_workers(weir, tmp_path):
    proc = run_weir(weir, "run", str(tmp_path / "absent.json"))
    assert proc.returncode != 0 and "cannot read" in proc.stderr
    proc = run_weir(weir, "run", "examples/bids-per-auction.json", "--workers", "0", cwd=REPO)
    assert proc.returncode != 0 and "--workers" in proc.stderr


def test_schema_command_prints_json_schema(weir):
    proc = run_weir(weir, "schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    assert "JobSpec" in json.dumps(schema) or schema.get("title") == "JobSpec"
