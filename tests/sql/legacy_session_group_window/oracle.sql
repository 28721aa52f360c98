-- Sessions by gaps: a row more than two minutes after the previous one of its channel starts a
-- new session (Flink merges windows that touch, so a gap of exactly two minutes does not).
WITH t AS (SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})),
marked AS (
  SELECT *, CASE WHEN ts - lag(ts) OVER (PARTITION BY channel ORDER BY ts) <= INTERVAL 2 MINUTE THEN 0 ELSE 1 END AS starts
  FROM t
),
numbered AS (
  SELECT *, SUM(starts) OVER (PARTITION BY channel ORDER BY ts ROWS UNBOUNDED PRECEDING) AS session FROM marked
)
SELECT channel, COUNT(*) AS n, SUM(price) AS s, MIN(ts) AS ws, MAX(ts) + INTERVAL 2 MINUTE AS we
FROM numbered
GROUP BY channel, session;
