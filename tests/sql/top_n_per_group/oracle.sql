SELECT auction, bidder, price, rn
FROM (
  SELECT auction, bidder, price,
    ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
  WHERE price IS NOT NULL
)
WHERE rn <= 2;
