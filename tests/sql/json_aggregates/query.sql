-- json_aggregates: JSON_ARRAYAGG and JSON_OBJECTAGG (ABSENT / NULL ON NULL) and SUM0 per key.
-- Rows reach the aggregate in file order (one file, read whole by one worker; one worker in
-- streaming mode), so JSON_ARRAYAGG's elements are in file order: the oracle orders DuckDB's
-- json_group_array by `seq`. JSON_OBJECTAGG's keys come out sorted, as JSON_OBJECT's do.
-- Flink's defaults: JSON_ARRAYAGG leaves NULLs out (ABSENT ON NULL), JSON_OBJECTAGG keeps them
-- (NULL ON NULL); SUM0 is 0 where SUM is NULL.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  seq BIGINT,
  k STRING,
  v STRING,
  n BIGINT,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT k,
  JSON_ARRAYAGG(v) AS vs,
  JSON_ARRAYAGG(n NULL ON NULL) AS ns,
  JSON_ARRAYAGG(JSON_OBJECT('v' VALUE v, 'n' VALUE n)) AS objects,
  JSON_OBJECTAGG(KEY CAST(seq AS STRING) VALUE v) AS v_by_seq,
  JSON_OBJECTAGG(KEY CAST(seq AS STRING) VALUE n ABSENT ON NULL) AS n_by_seq,
  SUM0(n) AS total,
  SUM0(CASE WHEN n > 1000 THEN n END) AS big_total
FROM t
GROUP BY k;
