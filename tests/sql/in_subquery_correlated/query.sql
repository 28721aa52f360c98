-- in_subquery_correlated
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


-- Correlated [NOT] IN: the correlation keys join the outer row to its own subquery rows (a
-- grouped subquery is grouped by the key too); NOT IN is NULL for a NULL bidder whose auction
-- has app bids.
SELECT b.auction, b.bidder, b.price,
  b.price IN (SELECT MAX(b2.price) FROM bids AS b2 WHERE b2.auction = b.auction GROUP BY b2.channel) AS channel_top,
  b.bidder NOT IN (SELECT b2.bidder FROM bids AS b2 WHERE b2.auction = b.auction AND b2.channel = 'app') AS not_app_bidder
FROM bids AS b
WHERE b.bidder IN (SELECT b2.bidder FROM bids AS b2 WHERE b2.auction = b.auction AND b2.channel = 'web')
   OR b.channel IS NULL;
