-- lateral_split_aggregate: words from LATERAL TABLE(SPLIT(..)) grouped and counted.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE posts (
  id BIGINT,
  tags STRING,
  score INT
) WITH ('connector' = 'filesystem', 'path' = 'posts.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT T.tag, COUNT(*) AS n, SUM(p.score) AS total, COUNT(DISTINCT p.id) AS posts
FROM posts AS p, LATERAL TABLE(SPLIT(p.tags, '|')) AS T(tag)
GROUP BY T.tag;
