-- list_aggregates: FIRST_VALUE, LAST_VALUE, LISTAGG, ARRAY_AGG (RESPECT and IGNORE NULLS) and
-- COLLECT per key. Rows reach the aggregate in file order (one file, read whole by one worker;
-- one worker in streaming mode), so the order-dependent results are those of the file order:
-- the oracle orders each DuckDB aggregate by the `seq` column. Flink's rules: FIRST_VALUE,
-- LAST_VALUE, LISTAGG and COLLECT skip NULLs; ARRAY_AGG keeps them unless IGNORE NULLS; a
-- group with no value gives NULL (COLLECT: the empty multiset).
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  seq BIGINT,
  k STRING,
  v STRING,
  n BIGINT,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT k, COUNT(*) AS c,
  FIRST_VALUE(v) AS first_v, LAST_VALUE(v) AS last_v, FIRST_VALUE(n) AS first_n, LAST_VALUE(n) AS last_n,
  LISTAGG(v) AS vs, LISTAGG(v, ' | ') AS vs_bar,
  ARRAY_AGG(n) AS ns, ARRAY_AGG(n IGNORE NULLS) AS ns_present,
  COLLECT(v) AS bag
FROM t
GROUP BY k;
