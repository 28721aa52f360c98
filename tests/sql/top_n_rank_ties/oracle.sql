SELECT *
FROM (
  SELECT auction, bidder, channel,
    RANK() OVER (PARTITION BY channel ORDER BY auction DESC) AS r
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
  WHERE channel IS NOT NULL
)
WHERE r > 1 AND r <= 4;
