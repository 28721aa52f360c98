SELECT auction, channel, price, ts,
  SUM(price) OVER w AS s3, COUNT(price) OVER w AS n3, MAX(price) OVER w AS hi3
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
WINDOW w AS (PARTITION BY channel ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW);
