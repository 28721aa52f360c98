SELECT auction, SUM(price) FILTER (WHERE channel = 'app') AS app_total,
  COUNT(*) FILTER (WHERE price > 60) AS expensive, SUM(price) // COUNT(*) AS mean
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
GROUP BY auction;
