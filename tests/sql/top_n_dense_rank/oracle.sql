SELECT auction, bidder, channel
FROM (
  SELECT auction, bidder, channel,
    DENSE_RANK() OVER (PARTITION BY channel ORDER BY auction) AS dr
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
)
WHERE dr = 2;
