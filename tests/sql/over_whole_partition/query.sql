-- over_whole_partition: OVER without ORDER BY: the whole partition is each row's frame; batch only, as in Flink
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, bidder, price,
  SUM(price) OVER (PARTITION BY auction) AS total,
  COUNT(price) OVER (PARTITION BY auction) AS priced,
  MAX(price) OVER (PARTITION BY auction) AS hi
FROM bids;
