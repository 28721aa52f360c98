SELECT p.id, t.tag, upper(t.tag) AS up
FROM read_csv('posts.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'tags': 'VARCHAR', 'score': 'INTEGER'}) AS p
  LEFT JOIN LATERAL (SELECT unnest(string_split(p.tags, '|')) AS tag) AS t ON TRUE
UNION ALL
SELECT p.id * 100, CAST(g.v AS VARCHAR), CAST(g.v * 2 AS VARCHAR)
FROM read_csv('posts.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'tags': 'VARCHAR', 'score': 'INTEGER'}) AS p
  CROSS JOIN LATERAL (SELECT unnest(generate_series(1, p.score // 3)) AS v) AS g
WHERE p.id < 3;
