-- over_distinct_sorted: DISTINCT OVER aggregates ordered by a value (batch mode's sorted OVER), over a ROWS frame
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT channel, price, ts, bidder,
  COUNT(DISTINCT bidder) OVER (PARTITION BY channel ORDER BY price DESC NULLS LAST, ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS bidders,
  SUM(DISTINCT auction) OVER (PARTITION BY channel ORDER BY price DESC NULLS LAST, ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS auction_sum
FROM bids;
