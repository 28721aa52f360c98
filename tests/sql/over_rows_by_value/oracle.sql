SELECT auction, price, ts,
  SUM(price) OVER (PARTITION BY auction ORDER BY price DESC NULLS LAST, ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s3,
  MIN(price) OVER (PARTITION BY auction ORDER BY price DESC NULLS LAST, ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS lo3
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'});
