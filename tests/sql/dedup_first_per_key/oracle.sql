SELECT auction, bidder, price, channel
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY ts ASC) AS rn
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
) t
WHERE rn = 1;
