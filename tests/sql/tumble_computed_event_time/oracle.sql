-- Batch mode: every row in its window [floor(ts_ms / 10000) * 10000, + 10000), no lateness.
SELECT make_timestamp(w * 10000 * 1000) AS window_start, make_timestamp((w + 1) * 10000 * 1000) AS window_end,
  k, COUNT(*) AS n, SUM(seq) AS seqs, MAX(ts_ms) AS last_ms
FROM (
  SELECT *, floor(ts_ms / 10000)::BIGINT AS w
  FROM read_csv('input.csv', header=false, columns={'seq': 'INT', 'k': 'INT', 'ts_ms': 'BIGINT'})
)
GROUP BY w, k;
