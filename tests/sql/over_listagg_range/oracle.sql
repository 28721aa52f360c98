-- The frame's values in event-time order from DuckDB's list over the same RANGE frame; the
-- DISTINCT form keeps each value's first occurrence (list_distinct does not keep order).
WITH framed AS (
  SELECT seq, k, list(v) OVER w AS vs
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'seq': 'BIGINT', 'k': 'VARCHAR', 'v': 'VARCHAR', 'n': 'BIGINT', 'ts': 'TIMESTAMP'})
  WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL 2 MINUTE PRECEDING AND CURRENT ROW)
)
SELECT seq, k,
  NULLIF(array_to_string(list_filter(vs, lambda x: x IS NOT NULL), ';'), '') AS vs,
  NULLIF(array_to_string(list_filter(vs, lambda x, i: x IS NOT NULL AND list_position(vs, x) = i), ','), '') AS distinct_vs
FROM framed;
