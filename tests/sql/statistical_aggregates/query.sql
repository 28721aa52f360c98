-- statistical_aggregates: STDDEV_POP, STDDEV_SAMP, VAR_POP, VAR_SAMP and the aliases STDDEV
-- (= STDDEV_SAMP) and VARIANCE (= VAR_SAMP). Flink reduces them (Calcite's
-- AggregateReduceFunctionsRule) to SUM(x * x), SUM(x) and COUNT(x) in the argument's type, so a
-- BIGINT argument gives a BIGINT computed in integer arithmetic: the oracle writes that formula
-- out for `price`, and uses DuckDB's own functions for the DOUBLE argument. The sample forms
-- are NULL for a group with one value (bidder 110), all are NULL without values (bidder 111).
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT bidder, COUNT(price) AS n,
  STDDEV_POP(CAST(price AS DOUBLE)) AS sp, STDDEV_SAMP(CAST(price AS DOUBLE)) AS ss,
  VAR_POP(CAST(price AS DOUBLE)) AS vp, VAR_SAMP(CAST(price AS DOUBLE)) AS vs,
  STDDEV(CAST(price AS DOUBLE)) AS sd, VARIANCE(CAST(price AS DOUBLE)) AS va,
  STDDEV_POP(price) AS isp, VAR_SAMP(price) AS ivs,
  STDDEV_SAMP(CAST(price AS DOUBLE)) FILTER (WHERE price > 20) AS ssf
FROM bids
GROUP BY bidder;
