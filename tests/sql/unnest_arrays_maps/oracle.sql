-- DuckDB's UNNEST for query.sql (a MAP unnested through its keys).
WITH t AS (
  SELECT * FROM read_json('input.json', format = 'newline_delimited',
    columns = {'id': 'INT', 'tags': 'VARCHAR[]', 'attrs': 'MAP(VARCHAR, INTEGER)'})
),
entries AS (
  SELECT id, k, attrs[k] AS v FROM t, unnest(map_keys(attrs)) AS m(k)
)
SELECT 'tag' AS kind, id, tag AS name, pos::INT AS num FROM t, unnest(tags) WITH ORDINALITY AS u(tag, pos)
UNION ALL
SELECT 'left', id, tag, NULL FROM t LEFT JOIN unnest(tags) AS u(tag) ON TRUE
UNION ALL
SELECT 'attr', id, k, v FROM entries
UNION ALL
SELECT 'count', NULL, k, SUM(v)::INT FROM entries GROUP BY k;
