SELECT auction, price, channel
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
WHERE price IS NOT NULL
ORDER BY price DESC, auction
LIMIT 5 OFFSET 1;
