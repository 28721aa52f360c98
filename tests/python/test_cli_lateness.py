"""Late rows end to end through the `weir` CLI and Flink SQL: rows behind the watermark count
in windows that have not fired, are dropped and counted for windows that have, and
`table.exec.emit.allow-lateness` re-fires windows for rows late by less than it. The
expected rows come from a plain Python simulation of the documented rule."""

import re
from collections import Counter
from datetime import UTC, datetime

import pytest

from conftest import final_rows, json_changes, run_weir

BASE = 1_672_531_200_000  # 2023-01-01 00:00:00 UTC
DELAY = 1000
SIZE = 2000


def events() -> list[tuple[int, int]]:
    """(key, event time ms) in arrival order: 40 rows 250 ms apart, then late ones."""
    rows = [(i % 3, BASE + i * 250) for i in range(40)]
    # The watermark is BASE + 8 750 after the last on-time row (BASE + 9 750).
    rows += [(0, BASE + 1_000), (1, BASE + 6_500), (2, BASE + 8_100), (0, BASE + 7_999)]
    return rows


def expected(lateness: int) -> tuple[Counter, int]:
    """Per (window start, key): the rows counted; and how many rows are dropped as late. Flink's
    rule, watermarks emitted per row: W = max(ts) - DELAY over the rows before; a window
    [start, end) fires when W >= end - 1 and takes late rows `lateness` ms longer."""
    watermark, counts, late = None, Counter(), 0
    for key, ts in events():
        start = ts - ts % SIZE
        if watermark is None or watermark < start + SIZE - 1 + lateness:
            counts[(start, key)] += 1
        else:
            late += 1
        watermark = ts - DELAY if watermark is None else max(watermark, ts - DELAY)
    return counts, late


def epoch_ms(text: str) -> int:
    """A printed TIMESTAMP(3) (`2023-01-01T00:00:02`, maybe with millis) in epoch ms."""
    return round(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


@pytest.mark.parametrize("lateness", [0, 3000])
def test_late_rows_and_allowed_lateness(weir, tmp_path, lateness):
    data = tmp_path / "events.csv"
    data.write_text("".join(f"{k},{iso(ts)}\n" for k, ts in events()))
    script = tmp_path / "job.sql"
    script.write_text(f"""
SET 'execution.runtime-mode' = 'streaming';
SET 'table.exec.emit.allow-lateness' = '{lateness} ms';
CREATE TABLE ev (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '{data}', 'format' = 'csv');
SELECT window_start, k, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY window_start, window_end, k;
""")
    proc = run_weir(weir, "run", str(script), "--output", "json", "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    counts, late = expected(lateness)
    got = sorted((epoch_ms(start), k, n) for start, k, n in final_rows(json_changes(proc.stdout)))
    assert got == sorted((start, k, n) for (start, k), n in counts.items())
    dropped = re.search(r"dropped (\d+) late record", proc.stderr)
    assert (int(dropped.group(1)) if dropped else 0) == late > 0, proc.stderr
    retractions = [op for op, _ in json_changes(proc.stdout) if op in ("-U", "-D")]
    assert bool(retractions) == (lateness > 0), "only late firings retract"
