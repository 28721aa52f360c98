SELECT auction, bidder, price,
  SUM(price) OVER (PARTITION BY auction) AS total,
  COUNT(price) OVER (PARTITION BY auction) AS priced,
  MAX(price) OVER (PARTITION BY auction) AS hi
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'});
