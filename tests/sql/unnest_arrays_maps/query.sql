-- unnest_arrays_maps: CROSS JOIN UNNEST of an ARRAY (a NULL or empty array gives no rows),
-- LEFT JOIN UNNEST .. ON TRUE (such rows stay, NULL-padded), WITH ORDINALITY (1-based), and
-- UNNEST of a MAP into key and value columns; then an aggregate over the unnested rows.
CREATE TABLE t (
  id INT,
  tags ARRAY<STRING>,
  attrs MAP<STRING, INT>
) WITH ('connector' = 'filesystem', 'path' = 'input.json', 'format' = 'json');

SELECT 'tag' AS kind, id, tag AS name, pos AS num FROM t CROSS JOIN UNNEST(tags) WITH ORDINALITY AS u(tag, pos)
UNION ALL
SELECT 'left', id, tag, CAST(NULL AS INT) FROM t LEFT JOIN UNNEST(tags) AS u(tag) ON TRUE
UNION ALL
SELECT 'attr', id, k, v FROM t, UNNEST(attrs) AS m(k, v)
UNION ALL
SELECT 'count', CAST(NULL AS INT), k, CAST(SUM(v) AS INT) FROM t CROSS JOIN UNNEST(attrs) AS m(k, v) GROUP BY k;
