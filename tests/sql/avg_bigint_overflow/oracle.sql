-- Flink's AVG(BIGINT) (see query.sql); DuckDB averages exactly in a DOUBLE, so the rows are
-- written out.
SELECT * FROM (VALUES
  ('a', -4611686018427387904, 2),
  ('b', 3, 2),
  ('c', CAST(NULL AS BIGINT), 0)
) AS t(k, avg_v, n);
