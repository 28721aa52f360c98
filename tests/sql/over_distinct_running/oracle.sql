SELECT channel, ts, bidder,
  COUNT(DISTINCT bidder) OVER (PARTITION BY channel ORDER BY ts) AS bidders,
  SUM(DISTINCT auction) OVER (PARTITION BY channel ORDER BY ts) AS auction_sum,
  COUNT(DISTINCT price) OVER (PARTITION BY channel ORDER BY ts) AS prices,
  SUM(price) OVER (PARTITION BY channel ORDER BY ts) AS total
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'});
