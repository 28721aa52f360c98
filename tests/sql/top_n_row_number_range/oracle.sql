SELECT auction, price, ts, rn
FROM (
  SELECT auction, price, ts,
    ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC, ts) AS rn
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
  WHERE price IS NOT NULL
)
WHERE rn BETWEEN 2 AND 3;
