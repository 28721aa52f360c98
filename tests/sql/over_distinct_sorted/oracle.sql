SELECT channel, price, ts, bidder,
  COUNT(DISTINCT bidder) OVER (PARTITION BY channel ORDER BY price DESC NULLS LAST, ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS bidders,
  SUM(DISTINCT auction) OVER (PARTITION BY channel ORDER BY price DESC NULLS LAST, ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS auction_sum
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'});
