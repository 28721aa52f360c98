-- over_order_by_value: OVER ordered by a non-time column, descending, with the default frame (RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW: rows with equal auctions are peers and share a result); batch only, as in Flink (its streaming OVER orders by a time attribute)
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, channel, price,
  SUM(price) OVER (PARTITION BY channel ORDER BY auction DESC) AS s,
  COUNT(*) OVER (PARTITION BY channel ORDER BY auction DESC) AS n,
  MIN(price) OVER (PARTITION BY channel ORDER BY auction DESC) AS lo
FROM bids;
