-- TUMBLE: DuckDB's time_bucket with an offset (buckets shifted by -2 minutes).
-- CUMULATE: by arithmetic on epoch ms: periods of 6 min starting at 1 min + k * 6 min, each
-- window [period start, period start + j * 2 min) for j = 1..3 holds the rows before its end.
WITH bids AS (
  SELECT *, epoch_ms(ts) AS ms
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
), cumulate AS (
  SELECT *, floor((ms - 60000) / 360000)::BIGINT * 360000 + 60000 AS period_ms FROM bids
)
SELECT 'tumble' AS kind, time_bucket(INTERVAL '5 minutes', ts, INTERVAL '-2 minutes') AS window_start,
  time_bucket(INTERVAL '5 minutes', ts, INTERVAL '-2 minutes') + INTERVAL '5 minutes' AS window_end,
  COUNT(*) AS n, SUM(price) AS s
FROM bids GROUP BY ALL
UNION ALL
SELECT 'cumulate', make_timestamp(period_ms * 1000), make_timestamp((period_ms + j * 120000) * 1000), COUNT(*), SUM(price)
FROM cumulate, range(1, 4) AS r(j)
WHERE ms < period_ms + j * 120000
GROUP BY period_ms, j;
