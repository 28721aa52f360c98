WITH bids AS (SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})), auctions AS (SELECT * FROM read_csv('auctions.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'seller': 'BIGINT', 'category': 'BIGINT', 'name': 'VARCHAR'}))
SELECT b.auction, b.price,
  b.auction IN (SELECT MAX(a.id) FROM auctions AS a WHERE a.category = b.auction) AS is_max_id,
  (b.price % 4) IN (SELECT COUNT(*) FROM auctions AS a WHERE a.category = b.auction) AS count_match
FROM bids AS b
WHERE b.bidder IN (SELECT MAX(b3.bidder) FROM bids AS b3 WHERE b3.auction = b.auction AND b3.price > 20)
  AND ((b.price % 3) IN (SELECT COUNT(*) FROM auctions AS a WHERE a.category = b.auction)
   OR b.price NOT IN (SELECT MIN(b2.price) + 1000 FROM bids AS b2 WHERE b2.auction = b.auction AND b2.bidder < 103));
