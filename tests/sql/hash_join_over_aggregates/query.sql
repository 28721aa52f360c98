-- hash_join_over_aggregates: batch inner joins whose inputs are GROUP BY results (whose
-- updates may retract), a join of a join, a join with an empty side (no rows out), and a join
-- over a LEFT JOIN, whose padded rows are inserted and retracted again when a partner exists.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE l (
  k1 BIGINT,
  k2 BIGINT,
  name STRING,
  v BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'left.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');
CREATE TABLE r (
  k1 BIGINT,
  k2 BIGINT,
  name STRING,
  w BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'right.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT a.k1, a.total, b.most, c.name, 'joined' AS what
FROM (SELECT k1, SUM(v) AS total FROM l GROUP BY k1) AS a
JOIN (SELECT k1, MAX(w) AS most FROM r GROUP BY k1) AS b ON a.k1 = b.k1
JOIN l AS c ON c.k1 = a.k1 AND c.v < a.total
UNION ALL
SELECT l.k1, l.v, r.w, l.name, 'empty' AS what
FROM l JOIN (SELECT * FROM r WHERE w > 1000) AS r ON l.k1 = r.k1
UNION ALL
SELECT lj.k1, lj.v, r2.w, lj.name, 'over_left_join' AS what
FROM (SELECT l.k1, l.v, l.name, r.w AS rw FROM l LEFT JOIN r ON l.k1 = r.k1 AND l.k2 = r.k2) AS lj
JOIN r AS r2 ON lj.k1 = r2.k1 AND lj.rw IS NULL;
