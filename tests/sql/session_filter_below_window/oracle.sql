-- Sessions by gaps over the rows the WHERE keeps (see session_window_aggregate's oracle).
WITH t AS (SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
  WHERE price > 50 AND auction <> 3),
marked AS (
  SELECT *, CASE WHEN ts - lag(ts) OVER (PARTITION BY channel ORDER BY ts) <= INTERVAL 2 MINUTE THEN 0 ELSE 1 END AS starts
  FROM t
),
numbered AS (
  SELECT *, SUM(starts) OVER (PARTITION BY channel ORDER BY ts ROWS UNBOUNDED PRECEDING) AS session FROM marked
)
SELECT MIN(ts) AS window_start, MAX(ts) + INTERVAL 2 MINUTE AS window_end, channel, COUNT(*) AS n, SUM(price) AS s
FROM numbered
GROUP BY channel, session;
