-- over_rows_by_value: ROWS BETWEEN 2 PRECEDING AND CURRENT ROW ordered by price DESC then ts (a unique order, so the frames are too); batch only
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, price, ts,
  SUM(price) OVER (PARTITION BY auction ORDER BY price DESC NULLS LAST, ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s3,
  MIN(price) OVER (PARTITION BY auction ORDER BY price DESC NULLS LAST, ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS lo3
FROM bids;
