"""The job the checkpoint benchmarks run (`checkpoint_state.py`, `recovery_time.py`).

A streaming GROUP BY over the UNION ALL of a bounded `datagen` sequence of `keys` distinct keys
(the bulk load: it fills the state and finishes) and an unbounded `datagen` trickle of `rate`
rows per second over the same keys (after the load, each checkpoint changes about `rate` times
the interval groups of the `keys`).
"""

import json
from pathlib import Path


def ck_job(keys: int, rate: int, backend: str, sink: str = "blackhole", pad: int = 0) -> str:
    """The SQL script; `pad` > 0 adds a string column of that many characters to every group."""
    padding = f", 'fields.p.length' = '{pad}'" if pad else ""
    pad_col = ", p STRING" if pad else ""
    pad_agg = ", MAX(p) AS p" if pad else ""
    pad_sel = ", p" if pad else ""
    pad_out = ", p STRING" if pad else ""
    return f"""
SET 'execution.runtime-mode' = 'streaming';
SET 'state.backend.type' = '{backend}';
CREATE TABLE bulk (k BIGINT, v BIGINT{pad_col})
  WITH ('connector' = 'datagen', 'fields.k.kind' = 'sequence', 'fields.k.start' = '0', 'fields.k.end' = '{keys - 1}',
        'fields.v.min' = '0', 'fields.v.max' = '1000'{padding});
CREATE TABLE trickle (k BIGINT, v BIGINT{pad_col})
  WITH ('connector' = 'datagen', 'rows-per-second' = '{rate}', 'fields.k.min' = '0', 'fields.k.max' = '{keys - 1}',
        'fields.v.min' = '0', 'fields.v.max' = '1000'{padding});
CREATE TABLE groups (k BIGINT, n BIGINT, total BIGINT{pad_out}) WITH ('connector' = '{sink}');
INSERT INTO groups
SELECT k, COUNT(*) AS n, SUM(v) AS total{pad_agg}
FROM (SELECT k, v{pad_sel} FROM bulk UNION ALL SELECT k, v{pad_sel} FROM trickle)
GROUP BY k;
"""


def manifest(checkpoint: Path) -> dict | None:
    """The manifest of a complete checkpoint directory, else None."""
    try:
        return json.loads((checkpoint / "MANIFEST.json").read_text())
    except (OSError, ValueError):
        return None


def complete_checkpoints(root: Path) -> list[Path]:
    """The complete checkpoints under `root`, oldest first."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.name.startswith("chk-") and manifest(p) is not None)


def state_bytes(checkpoint: Path) -> int:
    """Bytes of the state files a checkpoint's manifest lists."""
    m = manifest(checkpoint) or {}
    return sum(f["bytes"] for part in m.get("parts", []) for f in part["files"])
