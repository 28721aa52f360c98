-- over_distinct_range: DISTINCT OVER aggregates over the last two minutes per channel: each auction and bidder of the frame counted once (Flink's distinct OVER aggregates); in streaming mode too (the input is in time order, so no row is late)
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT channel, ts, auction,
  COUNT(DISTINCT auction) OVER (PARTITION BY channel ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW) AS auctions,
  SUM(DISTINCT bidder) OVER (PARTITION BY channel ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW) AS bidder_sum,
  COUNT(auction) OVER (PARTITION BY channel ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW) AS n
FROM bids;
