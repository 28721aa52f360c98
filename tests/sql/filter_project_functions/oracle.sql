SELECT auction, UPPER(channel) AS ch, price * 2 AS p2,
  CASE WHEN price > 50 THEN 'high' ELSE 'low' END AS band, length(channel) AS len
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
WHERE price IS NOT NULL AND channel LIKE 'a%' AND auction BETWEEN 2 AND 7;
