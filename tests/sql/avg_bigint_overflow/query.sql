-- avg_bigint_overflow: AVG of BIGINT as Flink computes it (LongAvgAggFunction): the sum is a
-- BIGINT that wraps on overflow, divided by the count toward zero, giving a BIGINT.
-- a: (9223372036854775807 + 1) wraps to -9223372036854775808; / 2 = -4611686018427387904.
-- b: (10 + -3) / 2 = 3 (NULL is not counted). c: only NULLs, so NULL.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  k STRING,
  v BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT k, AVG(v) AS avg_v, COUNT(v) AS n FROM t GROUP BY k;
