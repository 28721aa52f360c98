-- hop_uneven_slide: 5-minute HOP windows every 2 minutes (the slide does not divide the size:
-- a row falls in two or three windows), shifted by 30 seconds
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT window_start, window_end, channel, COUNT(*) AS n, SUM(price) AS s, MAX(price) AS mx
FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' MINUTE, INTERVAL '5' MINUTE, INTERVAL '30' SECOND))
GROUP BY window_start, window_end, channel;
