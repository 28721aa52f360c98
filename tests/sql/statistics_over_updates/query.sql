-- statistics_over_updates: statistical aggregates and INTERSECT ALL over an updating input (a
-- per-bidder count, which in streaming retracts each old count as the next row arrives), so
-- the final values hold only if the reduction's SUM and COUNT retract. The oracle writes
-- Flink's integer reduction for the BIGINT `n` (see statistical_aggregates).
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT 1 AS op, VAR_POP(CAST(n AS DOUBLE)) AS vp, STDDEV_SAMP(CAST(n AS DOUBLE)) AS ss, VAR_SAMP(n) AS vsi, COUNT(*) AS k
FROM (SELECT bidder, COUNT(*) AS n FROM bids GROUP BY bidder)
UNION ALL
SELECT 2, CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), n, COUNT(*) FROM (
  SELECT COUNT(*) AS n FROM bids GROUP BY bidder
  INTERSECT ALL
  SELECT COUNT(*) AS n FROM bids GROUP BY auction) GROUP BY n;
