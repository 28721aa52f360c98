WITH t AS (
  SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'seq': 'BIGINT', 'k': 'VARCHAR', 'v': 'VARCHAR', 'n': 'BIGINT', 'ts': 'TIMESTAMP'})
)
SELECT k, COUNT(*) AS c,
  first(v ORDER BY seq) FILTER (WHERE v IS NOT NULL) AS first_v,
  last(v ORDER BY seq) FILTER (WHERE v IS NOT NULL) AS last_v,
  first(n ORDER BY seq) FILTER (WHERE n IS NOT NULL) AS first_n,
  last(n ORDER BY seq) FILTER (WHERE n IS NOT NULL) AS last_n,
  string_agg(v, ',' ORDER BY seq) AS vs,
  string_agg(v, ' | ' ORDER BY seq) AS vs_bar,
  list(n ORDER BY seq) AS ns,
  list(n ORDER BY seq) FILTER (WHERE n IS NOT NULL) AS ns_present,
  COALESCE(histogram(v), MAP {}) AS bag
FROM t
GROUP BY k;
