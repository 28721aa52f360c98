SELECT channel, price, ts,
  LAG(price) OVER (PARTITION BY channel ORDER BY ts) AS prev,
  LAG(auction, 3, 0) OVER (PARTITION BY channel ORDER BY ts) AS auction3,
  COUNT(*) OVER (PARTITION BY channel ORDER BY ts) AS n
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'});
