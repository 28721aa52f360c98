-- Streaming mode, by Flink's documented rule: the watermark when a row arrives is the largest
-- event time read before it minus the 5-second delay (none before the first row); a row at or
-- behind it is late. Rows arrive in file order (`seq`, one worker).
WITH ev AS (
  SELECT *, max(ts_ms) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) - 5000 AS watermark
  FROM read_csv('input.csv', header=false, columns={'seq': 'INT', 'k': 'INT', 'ts_ms': 'BIGINT'})
)
SELECT seq, k, ts_ms FROM ev WHERE watermark IS NULL OR ts_ms > watermark;
