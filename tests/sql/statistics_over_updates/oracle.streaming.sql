WITH bids AS (
  SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
)
SELECT 1 AS op, var_pop(CAST(n AS DOUBLE)) AS vp, stddev_samp(CAST(n AS DOUBLE)) AS ss,
  CAST((SUM(n * n) - (SUM(n) * SUM(n)) // COUNT(n)) // (COUNT(n) - 1) AS BIGINT) AS vsi, COUNT(*) AS k
FROM (SELECT bidder, COUNT(*) AS n FROM bids GROUP BY bidder)
UNION ALL
SELECT 2, NULL, NULL, n, COUNT(*) FROM (
  SELECT COUNT(*) AS n FROM bids GROUP BY bidder
  INTERSECT ALL
  SELECT COUNT(*) AS n FROM bids GROUP BY auction) GROUP BY n;
