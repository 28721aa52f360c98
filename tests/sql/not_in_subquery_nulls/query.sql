-- not_in_subquery_nulls
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


-- [NOT] IN (subquery) with SQL's NULLs: a NULL among the subquery's values makes NOT IN NULL
-- for every value it does not contain (api prices include a NULL); a NULL bidder gives NULL
-- unless the subquery is empty (no 'sofa' auctions: FALSE). In WHERE, NOT IN keeps only the
-- rows where it is TRUE.
SELECT auction, bidder, price,
  bidder NOT IN (SELECT seller - 100 FROM auctions WHERE name = 'chair') AS not_chair_seller,
  price NOT IN (SELECT price FROM bids WHERE channel = 'api') AS not_api_price,
  bidder IN (SELECT seller FROM auctions WHERE name = 'sofa') AS sofa_seller
FROM bids
WHERE auction NOT IN (SELECT category + 4 FROM auctions WHERE name <> 'desk');
