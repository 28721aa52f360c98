SELECT auction, price, ts,
  LAG(price) OVER (PARTITION BY auction ORDER BY ts) AS prev,
  LAG(price, 2, -1) OVER (PARTITION BY auction ORDER BY ts) AS prev2,
  LEAD(bidder) OVER (PARTITION BY auction ORDER BY ts) AS next_bidder,
  LEAD(channel, 1, 'none') OVER (PARTITION BY auction ORDER BY ts) AS next_channel
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'});
