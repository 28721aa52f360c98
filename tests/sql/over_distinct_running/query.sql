-- over_distinct_running: DISTINCT OVER aggregates from the first row of the channel to the current one (the values taken kept per key); in streaming mode too (the input is in time order)
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT channel, ts, bidder,
  COUNT(DISTINCT bidder) OVER (PARTITION BY channel ORDER BY ts) AS bidders,
  SUM(DISTINCT auction) OVER (PARTITION BY channel ORDER BY ts) AS auction_sum,
  COUNT(DISTINCT price) OVER (PARTITION BY channel ORDER BY ts) AS prices,
  SUM(price) OVER (PARTITION BY channel ORDER BY ts) AS total
FROM bids;
