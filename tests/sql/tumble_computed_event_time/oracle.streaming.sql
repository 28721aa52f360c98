-- Streaming mode, by Flink's documented rule: the watermark when a row arrives is the largest
-- event time read before it minus the 5-second delay (`ts - INTERVAL '5' SECOND`); a window
-- has fired once the watermark reaches its end - 1 ms, and a row of a fired window is late and
-- dropped. Rows arrive in file order (`seq`, one worker).
WITH ev AS (
  SELECT *, floor(ts_ms / 10000)::BIGINT AS w,
    max(ts_ms) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) - 5000 AS watermark
  FROM read_csv('input.csv', header=false, columns={'seq': 'INT', 'k': 'INT', 'ts_ms': 'BIGINT'})
)
SELECT make_timestamp(w * 10000 * 1000) AS window_start, make_timestamp((w + 1) * 10000 * 1000) AS window_end,
  k, COUNT(*) AS n, SUM(seq) AS seqs, MAX(ts_ms) AS last_ms
FROM ev
WHERE watermark IS NULL OR (w + 1) * 10000 - 1 > watermark
GROUP BY w, k;
