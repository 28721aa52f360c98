-- lag_event_time: LAG ordered by event time (unique per channel), with an offset and a default, next to a running COUNT; in streaming mode too, as in Flink (the input is in time order, so no row is late)
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT channel, price, ts,
  LAG(price) OVER (PARTITION BY channel ORDER BY ts) AS prev,
  LAG(auction, 3, 0) OVER (PARTITION BY channel ORDER BY ts) AS auction3,
  COUNT(*) OVER (PARTITION BY channel ORDER BY ts) AS n
FROM bids;
