SELECT t.tag, COUNT(*) AS n, SUM(p.score) AS total, COUNT(DISTINCT p.id) AS posts
FROM read_csv('posts.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'tags': 'VARCHAR', 'score': 'INTEGER'}) AS p,
  LATERAL (SELECT unnest(string_split(p.tags, '|')) AS tag) AS t
GROUP BY t.tag;
