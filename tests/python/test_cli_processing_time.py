"""Processing-time windows through the `weir` CLI: `pt AS PROCTIME()` on a table without a
watermark is a time attribute, and a TUMBLE over it closes windows as the wall clock passes
them (append-only, every row counted once). No assertion on speed or on how rows split
between windows: only on what any split must satisfy."""

from datetime import datetime

from conftest import json_changes, run_weir


def test_tumbling_windows_on_proctime_close_with_the_wall_clock(weir, tmp_path):
    script = tmp_path / "job.sql"
    script.write_text("""
SET 'execution.runtime-mode' = 'streaming';
CREATE TABLE clicks (user_id INT, pt AS PROCTIME())
  WITH ('connector' = 'datagen', 'rows-per-second' = '40', 'number-of-rows' = '60',
        'fields.user_id.min' = '1', 'fields.user_id.max' = '3');
SELECT window_start, window_end, user_id, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(pt), INTERVAL '1' SECOND))
GROUP BY window_start, window_end, user_id;
""")
    proc = run_weir(weir, "run", str(script), "--output", "json", "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    changes = json_changes(proc.stdout)
    assert changes and all(op == "+I" for op, _ in changes), "a processing-time window is emitted once"
    assert sum(row[3] for _, row in changes) == 60
    for _, (start, end, user, _) in changes:
        assert (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() == 1
        assert 1 <= user <= 3
    windows = {row[0] for _, row in changes}
    assert len(windows) >= 2, "60 rows at 40 per second span more than one second"


def test_deduplication_on_proctime_keeps_the_first_row_to_arrive(weir, tmp_path):
    """Flink's proctime deduplication (`ROW_NUMBER() OVER (PARTITION BY k ORDER BY pt) = 1`)
    keeps each key's first row to arrive and only inserts: `[I]`, never an update."""
    data = tmp_path / "in.csv"
    rows = [(i % 7, f"v{i}") for i in range(200)]
    data.write_text("".join(f"{k},{v}\n" for k, v in rows))
    script = tmp_path / "job.sql"
    script.write_text(f"""
SET 'execution.runtime-mode' = 'streaming';
CREATE TABLE t (k INT, v STRING, pt AS PROCTIME())
  WITH ('connector' = 'filesystem', 'path' = '{data}', 'format' = 'csv');
SELECT k, v FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY pt) AS rn FROM t
) WHERE rn = 1;
""")
    plan = run_weir(weir, "explain", str(script))
    assert plan.returncode == 0, plan.stderr
    assert "Deduplicate(keep=[FirstRow], key=[k], order=[PROCTIME]" in plan.stdout, plan.stdout
    assert "changelogMode=[I,UB,UA" not in plan.stdout, plan.stdout
    first = {}
    for k, v in rows:
        first.setdefault(k, v)
    for workers in ("1", "2"):
        proc = run_weir(weir, "run", str(script), "--output", "json", "--workers", workers)
        assert proc.returncode == 0, proc.stderr
        changes = json_changes(proc.stdout)
        assert all(op == "+I" for op, _ in changes), changes
        kept = {k: v for _, (k, v) in changes}
        assert len(kept) == len(changes) == 7, changes
        if workers == "1":
            assert kept == first, "one reader: each key's first row in the file"
        else:
            assert all(v in {w for j, w in rows if j == k} for k, v in kept.items())
