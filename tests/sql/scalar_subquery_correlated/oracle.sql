-- Flink's AVG(BIGINT) is a BIGINT (the sum divided by the count, truncated): SUM // COUNT here.
WITH bids AS (SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})), auctions AS (SELECT * FROM read_csv('auctions.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'seller': 'BIGINT', 'category': 'BIGINT', 'name': 'VARCHAR'}))
SELECT b.auction, b.price,
  (SELECT COUNT(*) FROM auctions AS a WHERE a.category = b.auction) AS same_category,
  (SELECT a.name FROM auctions AS a WHERE a.id = b.auction) AS name
FROM bids AS b
WHERE b.price > (SELECT SUM(b2.price) // COUNT(b2.price) FROM bids AS b2 WHERE b2.auction = b.auction);
