-- lateral_split_left_join: LEFT JOIN LATERAL TABLE(SPLIT(..)) ON TRUE keeps the post whose
-- tags are NULL (SPLIT gives no rows) with a NULL tag; the CROSS JOIN form drops it.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE posts (
  id BIGINT,
  tags STRING,
  score INT
) WITH ('connector' = 'filesystem', 'path' = 'posts.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT p.id, T.tag, UPPER(T.tag) AS up
FROM posts AS p LEFT JOIN LATERAL TABLE(SPLIT(p.tags, '|')) AS T(tag) ON TRUE
UNION ALL
SELECT p.id * 100, CAST(g.v AS STRING), CAST(g.v * 2 AS STRING)
FROM posts AS p CROSS JOIN LATERAL TABLE(GENERATE_SERIES(1, p.score / 3)) AS g(v)
WHERE p.id < 3;
