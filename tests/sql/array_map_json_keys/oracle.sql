-- DuckDB's lists and maps for query.sql.
WITH t AS (
  SELECT * FROM read_json('input.json', format = 'newline_delimited',
    columns = {'id': 'INT', 'tags': 'VARCHAR[]', 'attrs': 'MAP(VARCHAR, INTEGER)'})
)
SELECT g.tags, g.n, g.sum_x, g.max_y, len(g.tags)::INT AS size, p.pairs
FROM (
  SELECT tags, COUNT(*) AS n, SUM(attrs['x'])::INT AS sum_x, MAX(attrs['y']) AS max_y
  FROM t GROUP BY tags
) g
LEFT JOIN (
  SELECT a.tags, COUNT(*) AS pairs FROM t a JOIN t b ON a.tags = b.tags AND a.id < b.id GROUP BY a.tags
) p ON g.tags = p.tags;
