-- array_map_json_keys: ARRAY and MAP columns read from JSON, an ARRAY as a GROUP BY key and
-- as a join key (elements compared in order, NULL elements equal to each other as in Flink's
-- GROUP BY; a NULL array is its own group and never joins), MAP lookups in the aggregate.
CREATE TABLE t (
  id INT,
  tags ARRAY<STRING>,
  attrs MAP<STRING, INT>
) WITH ('connector' = 'filesystem', 'path' = 'input.json', 'format' = 'json');

SELECT g.tags, g.n, g.sum_x, g.max_y, CARDINALITY(g.tags) AS size, p.pairs
FROM (
  SELECT tags, COUNT(*) AS n, SUM(attrs['x']) AS sum_x, MAX(attrs['y']) AS max_y
  FROM t GROUP BY tags
) g
LEFT JOIN (
  SELECT a.tags, COUNT(*) AS pairs FROM t a JOIN t b ON a.tags = b.tags AND a.id < b.id GROUP BY a.tags
) p ON g.tags = p.tags;
