-- float_aggregates: SUM, AVG, MIN and MAX of a FLOAT are FLOAT, as in Flink. SUM adds in 32
-- bits (Flink's FloatSumAggFunction): 2.7 + 110.1 is 112.799995, 0.1 + 0.2 is 0.3, 1.0E20 +
-- 1.0E-5 is 1.0E20; AVG keeps a DOUBLE sum and casts the mean to FLOAT (Flink's
-- FloatAvgAggFunction). Two values a group, so the 32-bit sum does not depend on the order
-- they are added in (with two, it is the exact sum rounded once).
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  g STRING,
  f FLOAT
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT g, SUM(f) AS s, AVG(f) AS a, MIN(f) AS mn, MAX(f) AS mx, COUNT(f) AS n, SUM(f) * 2 AS s2
FROM t
GROUP BY g;
