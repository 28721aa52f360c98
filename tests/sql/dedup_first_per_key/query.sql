-- dedup_first_per_key
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, bidder, price, channel
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY ts ASC) AS rn
  FROM bids
) t
WHERE rn = 1;
