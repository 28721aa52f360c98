-- in_subquery_correlated_aggregate
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

-- `x [NOT] IN` a correlated aggregate without GROUP BY, which has one value per outer row
-- (COUNT(*) over no matching row is 0, MAX is NULL): AND-ed into WHERE (a semi join), under
-- OR and NOT, and in the select list.
SELECT b.auction, b.price,
  b.auction IN (SELECT MAX(a.id) FROM auctions AS a WHERE a.category = b.auction) AS is_max_id,
  (b.price % 4) IN (SELECT COUNT(*) FROM auctions AS a WHERE a.category = b.auction) AS count_match
FROM bids AS b
WHERE b.bidder IN (SELECT MAX(b3.bidder) FROM bids AS b3 WHERE b3.auction = b.auction AND b3.price > 20)
  AND ((b.price % 3) IN (SELECT COUNT(*) FROM auctions AS a WHERE a.category = b.auction)
   OR b.price NOT IN (SELECT MIN(b2.price) + 1000 FROM bids AS b2 WHERE b2.auction = b.auction AND b2.bidder < 103));
