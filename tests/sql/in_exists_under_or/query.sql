-- in_exists_under_or
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


-- IN and EXISTS under OR (and NOT EXISTS under AND under OR): mark joins (a left join adding
-- a marker column per subquery), then the OR over the markers.
SELECT b.auction, b.price, b.channel
FROM bids AS b
WHERE b.channel = 'api'
   OR b.auction IN (SELECT id FROM auctions WHERE name = 'lamp')
   OR EXISTS (SELECT 1 FROM auctions AS a WHERE a.category = b.auction AND a.name = 'desk')
   OR (b.price > 100 AND NOT EXISTS (SELECT 1 FROM auctions AS a WHERE a.id = b.auction AND a.name IS NULL));
