-- over_rows_frame: running aggregates over the current row and the two before it, per channel
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, channel, price, ts,
  SUM(price) OVER (PARTITION BY channel ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s3,
  COUNT(price) OVER (PARTITION BY channel ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS n3,
  MAX(price) OVER (PARTITION BY channel ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS hi3
FROM bids;
