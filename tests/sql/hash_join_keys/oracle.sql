SELECT l.k1, l.k2, l.name, r.name AS rname, l.v, r.w
FROM read_csv('left.csv', header=false, nullstr='NULL', columns={'k1': 'BIGINT', 'k2': 'BIGINT', 'name': 'VARCHAR', 'v': 'BIGINT'}) AS l
JOIN read_csv('right.csv', header=false, nullstr='NULL', columns={'k1': 'BIGINT', 'k2': 'BIGINT', 'name': 'VARCHAR', 'w': 'BIGINT'}) AS r
  ON l.k1 = r.k1 AND l.k2 = r.k2 AND l.v + r.w > 5;
