-- Calcite's rewrite of OVERLAPS, written out: each side's points sorted by
-- CASE WHEN s <= e THEN (s, e) ELSE (e, s), then e0 >= s1 AND e1 >= s0.
WITH p AS (
  SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL',
    columns={'id': 'INTEGER', 's0': 'TIMESTAMP', 'e0': 'TIMESTAMP', 's1': 'TIMESTAMP', 'e1': 'TIMESTAMP'})
),
sides AS (
  SELECT id,
    s0 AS a0, e0 AS a1, s1 AS b0, e1 AS b1,
    s0 AS c0, s0 + INTERVAL 30 MINUTE AS c1,
    CAST(s0 AS DATE) AS d0, CAST(e0 AS DATE) AS d1, DATE '2024-01-01' AS f0, DATE '2024-01-02' AS f1
  FROM p
)
SELECT id,
  (CASE WHEN a0 <= a1 THEN a1 ELSE a0 END) >= (CASE WHEN b0 <= b1 THEN b0 ELSE b1 END)
    AND (CASE WHEN b0 <= b1 THEN b1 ELSE b0 END) >= (CASE WHEN a0 <= a1 THEN a0 ELSE a1 END),
  (CASE WHEN c0 <= c1 THEN c1 ELSE c0 END) >= (CASE WHEN b0 <= b1 THEN b0 ELSE b1 END)
    AND (CASE WHEN b0 <= b1 THEN b1 ELSE b0 END) >= (CASE WHEN c0 <= c1 THEN c0 ELSE c1 END),
  (CASE WHEN b0 <= b1 THEN b1 ELSE b0 END) >= (CASE WHEN a0 <= a1 THEN a0 ELSE a1 END)
    AND (CASE WHEN a0 <= a1 THEN a1 ELSE a0 END) >= (CASE WHEN b0 <= b1 THEN b0 ELSE b1 END),
  (CASE WHEN d0 <= d1 THEN d1 ELSE d0 END) >= (CASE WHEN f0 <= f1 THEN f0 ELSE f1 END)
    AND (CASE WHEN f0 <= f1 THEN f1 ELSE f0 END) >= (CASE WHEN d0 <= d1 THEN d0 ELSE d1 END)
FROM sides;
