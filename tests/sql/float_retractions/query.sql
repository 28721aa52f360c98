-- float_retractions: a FLOAT SUM, MIN and MAX over an updating input (the inner GROUP BY's
-- changelog: in streaming mode a new per-key MAX retracts the old one, and Flink's retracting
-- FLOAT sum subtracts it in 32 bits). The values are chosen so that every partial sum is exact
-- in 32 bits (halves to eighths; 2.0E30 is twice the float 1.0E30), so the final sums do not
-- depend on the order of additions and retractions. All result columns but COUNT are FLOAT.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  g STRING,
  k INT,
  f FLOAT
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT g, SUM(mx) AS s, MIN(mx) AS lo, MAX(mx) AS hi, COUNT(*) AS n
FROM (SELECT g, k, MAX(f) AS mx FROM t GROUP BY g, k)
GROUP BY g;
