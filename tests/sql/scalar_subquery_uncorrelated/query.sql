-- scalar_subquery_uncorrelated
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


-- Uncorrelated scalar subqueries in WHERE and in the select list: each is planned once and
-- joined to every row (an empty one gives NULL).
SELECT auction, price,
  (SELECT MAX(price) FROM bids) - price AS below_top,
  (SELECT MIN(price) FROM bids WHERE price > 1000) AS nothing
FROM bids
WHERE price > (SELECT AVG(price) FROM bids);
