-- session_window_aggregate: sessions per channel that close after two minutes without a bid
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT window_start, window_end, channel, COUNT(*) AS n, SUM(price) AS s
FROM TABLE(SESSION(TABLE bids PARTITION BY channel, DESCRIPTOR(ts), INTERVAL '2' MINUTE))
GROUP BY window_start, window_end, channel;
