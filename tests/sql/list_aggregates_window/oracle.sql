-- Tumbling windows by arithmetic on epoch milliseconds: [floor(ms / 300000) * 300000, + 300000).
SELECT make_timestamp(w * 300000 * 1000) AS window_start, make_timestamp((w + 1) * 300000 * 1000) AS window_end,
  k, COUNT(*) AS c,
  first(v ORDER BY seq) FILTER (WHERE v IS NOT NULL) AS first_v,
  last(n ORDER BY seq) FILTER (WHERE n IS NOT NULL) AS last_n,
  string_agg(v, ';' ORDER BY seq) AS vs,
  list(n ORDER BY seq) AS ns
FROM (
  SELECT *, floor(epoch_ms(ts) / 300000)::BIGINT AS w
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'seq': 'BIGINT', 'k': 'VARCHAR', 'v': 'VARCHAR', 'n': 'BIGINT', 'ts': 'TIMESTAMP'})
)
GROUP BY w, k;
