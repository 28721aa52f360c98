-- Flink's AVG(BIGINT) is a BIGINT (the sum divided by the count, truncated): SUM // COUNT here.
WITH bids AS (SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})), auctions AS (SELECT * FROM read_csv('auctions.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'seller': 'BIGINT', 'category': 'BIGINT', 'name': 'VARCHAR'}))
SELECT auction, price,
  (SELECT MAX(price) FROM bids) - price AS below_top,
  (SELECT MIN(price) FROM bids WHERE price > 1000) AS nothing
FROM bids
WHERE price > (SELECT SUM(price) // COUNT(price) FROM bids);
