-- list_aggregates_window: FIRST_VALUE, LAST_VALUE, LISTAGG and ARRAY_AGG in a 5-minute
-- tumbling window per key, in file order (see list_aggregates; timestamps ascend, so no row
-- is late in streaming mode). The oracle orders each DuckDB aggregate by `seq`.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  seq BIGINT,
  k STRING,
  v STRING,
  n BIGINT,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT window_start, window_end, k, COUNT(*) AS c,
  FIRST_VALUE(v) AS first_v, LAST_VALUE(n) AS last_n, LISTAGG(v, ';') AS vs, ARRAY_AGG(n) AS ns
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' MINUTE))
GROUP BY window_start, window_end, k;
