SELECT auction, channel, price,
  SUM(price) OVER (PARTITION BY channel ORDER BY auction DESC) AS s,
  COUNT(*) OVER (PARTITION BY channel ORDER BY auction DESC) AS n,
  MIN(price) OVER (PARTITION BY channel ORDER BY auction DESC) AS lo
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'});
