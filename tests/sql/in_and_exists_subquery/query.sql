-- in_and_exists_subquery
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');
CREATE TABLE auctions (
  id BIGINT,
  seller BIGINT,
  category BIGINT,
  name STRING
) WITH ('connector' = 'filesystem', 'path' = 'auctions.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT b.auction, b.price
FROM bids AS b
WHERE b.auction IN (SELECT id FROM auctions WHERE category = 1)
  AND NOT EXISTS (SELECT 1 FROM auctions AS a WHERE a.id = b.auction AND a.name = 'desk');
