-- Batch mode: HOP windows [1 s + j * 4 s, + 10 s) for every integer j, by epoch arithmetic;
-- a row belongs to each window whose span holds it (two or three of them).
WITH ev AS (
  SELECT * FROM read_csv('input.csv', header=false, columns={'seq': 'INT', 'k': 'INT', 'ts_ms': 'BIGINT'})
), assigned AS (
  SELECT ev.*, (floor((ts_ms - 1000) / 4000)::BIGINT - d) * 4000 + 1000 AS s FROM ev, range(0, 4) AS r(d)
)
SELECT make_timestamp(s * 1000) AS window_start, make_timestamp((s + 10000) * 1000) AS window_end,
  k, COUNT(*) AS n, SUM(seq) AS seqs
FROM assigned
WHERE s <= ts_ms AND ts_ms < s + 10000
GROUP BY s, k;
