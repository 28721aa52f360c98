-- scalar_subquery_correlated
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


-- Correlated scalar subqueries (equality correlation), decorrelated into aggregates grouped by
-- the correlation key and left-joined: a COUNT(*) with no matching row is 0 (not NULL), a
-- non-aggregate subquery is checked at run time to return at most one row per outer row.
SELECT b.auction, b.price,
  (SELECT COUNT(*) FROM auctions AS a WHERE a.category = b.auction) AS same_category,
  (SELECT a.name FROM auctions AS a WHERE a.id = b.auction) AS name
FROM bids AS b
WHERE b.price > (SELECT AVG(b2.price) FROM bids AS b2 WHERE b2.auction = b.auction);
