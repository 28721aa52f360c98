-- Streaming mode, by Flink's documented rule: the watermark when a row arrives is the largest
-- event time read before it minus the 5-second delay; the rows at or behind it are late, and
-- that watermark is what CURRENT_WATERMARK returns for them. Rows arrive in file order (`seq`,
-- one worker).
WITH ev AS (
  SELECT *, max(ts) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) - INTERVAL 5 SECOND AS watermark
  FROM read_csv('input.csv', header=false, columns={'seq': 'INT', 'k': 'INT', 'ts': 'TIMESTAMP'})
)
SELECT seq, ts, watermark AS wm FROM ev WHERE ts <= watermark;
