-- order_by_limit
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, price, channel
FROM bids
WHERE price IS NOT NULL
ORDER BY price DESC, auction
LIMIT 5 OFFSET 1;
