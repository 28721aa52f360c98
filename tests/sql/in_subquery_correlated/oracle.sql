WITH bids AS (SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})), auctions AS (SELECT * FROM read_csv('auctions.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'seller': 'BIGINT', 'category': 'BIGINT', 'name': 'VARCHAR'}))
SELECT b.auction, b.bidder, b.price,
  b.price IN (SELECT MAX(b2.price) FROM bids AS b2 WHERE b2.auction = b.auction GROUP BY b2.channel) AS channel_top,
  b.bidder NOT IN (SELECT b2.bidder FROM bids AS b2 WHERE b2.auction = b.auction AND b2.channel = 'app') AS not_app_bidder
FROM bids AS b
WHERE b.bidder IN (SELECT b2.bidder FROM bids AS b2 WHERE b2.auction = b.auction AND b2.channel = 'web')
   OR b.channel IS NULL;
