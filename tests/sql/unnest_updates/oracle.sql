-- DuckDB's UNNEST for query.sql.
SELECT k, x, o::INT AS o
FROM (
  SELECT k, [k * 100, SUM(v)::INT, COUNT(*)::INT] AS a
  FROM read_csv('input.csv', header = false, columns = {'k': 'INT', 'v': 'INT'})
  GROUP BY k
) s, unnest(a) WITH ORDINALITY AS u(x, o);
