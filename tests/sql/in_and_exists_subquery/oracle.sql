SELECT b.auction, b.price
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}) AS b
WHERE b.auction IN (SELECT id FROM read_csv('auctions.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'seller': 'BIGINT', 'category': 'BIGINT', 'name': 'VARCHAR'}) WHERE category = 1)
  AND NOT EXISTS (SELECT 1 FROM read_csv('auctions.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'seller': 'BIGINT', 'category': 'BIGINT', 'name': 'VARCHAR'}) AS a WHERE a.id = b.auction AND a.name = 'desk');
