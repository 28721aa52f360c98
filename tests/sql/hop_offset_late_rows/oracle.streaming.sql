-- Streaming mode, by Flink's documented rule: the watermark when a row arrives is the largest
-- event time read before it minus the 5-second delay; a window has fired once the watermark
-- reaches its end - 1 ms, and a row is dropped from each window that had fired when it arrived
-- (it still counts in its windows that had not). Rows arrive in file order (`seq`, one worker).
WITH ev AS (
  SELECT *, max(ts_ms) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) - 5000 AS watermark
  FROM read_csv('input.csv', header=false, columns={'seq': 'INT', 'k': 'INT', 'ts_ms': 'BIGINT'})
), assigned AS (
  SELECT ev.*, (floor((ts_ms - 1000) / 4000)::BIGINT - d) * 4000 + 1000 AS s FROM ev, range(0, 4) AS r(d)
)
SELECT make_timestamp(s * 1000) AS window_start, make_timestamp((s + 10000) * 1000) AS window_end,
  k, COUNT(*) AS n, SUM(seq) AS seqs
FROM assigned
WHERE s <= ts_ms AND ts_ms < s + 10000 AND (watermark IS NULL OR s + 10000 - 1 > watermark)
GROUP BY s, k;
