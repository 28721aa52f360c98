-- over_listagg_range: LISTAGG in an event-time OVER window over the rows of the last two
-- minutes per key (RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW), with DISTINCT
-- too: the non-NULL values in event-time order (DISTINCT: each value once, where it first
-- comes), NULL when the frame has none. Timestamps ascend and are unique, so the frame order
-- is the file order in both modes.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  seq BIGINT,
  k STRING,
  v STRING,
  n BIGINT,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT seq, k, LISTAGG(v, ';') OVER w AS vs, LISTAGG(DISTINCT v) OVER w AS distinct_vs
FROM t
WINDOW w AS (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW);
