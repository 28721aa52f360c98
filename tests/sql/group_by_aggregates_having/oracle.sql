SELECT channel, COUNT(*) AS n, COUNT(bidder) AS nb, COUNT(DISTINCT auction) AS na,
  SUM(price) AS s, MIN(price) AS mn, MAX(price) AS mx, CAST(trunc(AVG(price)) AS BIGINT) AS av
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
GROUP BY channel
HAVING COUNT(*) > 2;
