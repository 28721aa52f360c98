-- join_full
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

SELECT b.auction, b.price, a.seller, a.name
FROM bids AS b FULL OUTER JOIN auctions AS a
  ON b.auction = a.id AND b.price > a.category * 30;
