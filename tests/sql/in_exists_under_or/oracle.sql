WITH bids AS (SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})), auctions AS (SELECT * FROM read_csv('auctions.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'seller': 'BIGINT', 'category': 'BIGINT', 'name': 'VARCHAR'}))
SELECT b.auction, b.price, b.channel
FROM bids AS b
WHERE b.channel = 'api'
   OR b.auction IN (SELECT id FROM auctions WHERE name = 'lamp')
   OR EXISTS (SELECT 1 FROM auctions AS a WHERE a.category = b.auction AND a.name = 'desk')
   OR (b.price > 100 AND NOT EXISTS (SELECT 1 FROM auctions AS a WHERE a.id = b.auction AND a.name IS NULL));
