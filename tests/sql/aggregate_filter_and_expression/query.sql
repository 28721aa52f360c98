-- aggregate_filter_and_expression
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, SUM(price) FILTER (WHERE channel = 'app') AS app_total,
  COUNT(*) FILTER (WHERE price > 60) AS expensive, SUM(price) / COUNT(*) AS mean
FROM bids
GROUP BY auction;
