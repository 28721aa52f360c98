WITH bids AS (SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})), auctions AS (SELECT * FROM read_csv('auctions.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'seller': 'BIGINT', 'category': 'BIGINT', 'name': 'VARCHAR'}))
SELECT auction, bidder, price,
  bidder NOT IN (SELECT seller - 100 FROM auctions WHERE name = 'chair') AS not_chair_seller,
  price NOT IN (SELECT price FROM bids WHERE channel = 'api') AS not_api_price,
  bidder IN (SELECT seller FROM auctions WHERE name = 'sofa') AS sofa_seller
FROM bids
WHERE auction NOT IN (SELECT category + 4 FROM auctions WHERE name <> 'desk');
