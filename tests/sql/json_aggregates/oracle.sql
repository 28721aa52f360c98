WITH t AS (
  SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'seq': 'BIGINT', 'k': 'VARCHAR', 'v': 'VARCHAR', 'n': 'BIGINT', 'ts': 'TIMESTAMP'})
)
SELECT k,
  COALESCE(CAST(to_json(list(v ORDER BY seq) FILTER (WHERE v IS NOT NULL)) AS VARCHAR), '[]') AS vs,
  CAST(to_json(list(n ORDER BY seq)) AS VARCHAR) AS ns,
  CAST(to_json(list(json_object('n', n, 'v', v) ORDER BY seq)) AS VARCHAR) AS objects,
  CAST(to_json(map_from_entries(list(struct_pack(k := CAST(seq AS VARCHAR), v := v) ORDER BY CAST(seq AS VARCHAR)))) AS VARCHAR) AS v_by_seq,
  COALESCE(CAST(to_json(map_from_entries(list(struct_pack(k := CAST(seq AS VARCHAR), v := n) ORDER BY CAST(seq AS VARCHAR)) FILTER (WHERE n IS NOT NULL))) AS VARCHAR), '{}') AS n_by_seq,
  COALESCE(SUM(n), 0) AS total,
  COALESCE(SUM(CASE WHEN n > 1000 THEN n END), 0) AS big_total
FROM t
GROUP BY k;
