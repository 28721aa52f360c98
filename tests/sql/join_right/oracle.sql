SELECT b.auction, b.price, a.seller, a.name
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}) AS b RIGHT JOIN read_csv('auctions.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'seller': 'BIGINT', 'category': 'BIGINT', 'name': 'VARCHAR'}) AS a
  ON b.auction = a.id AND b.price > a.category * 30;
