-- hash_join_keys: a batch inner join on two key columns with duplicate keys on both sides
-- (each pair once per copy), NULL keys (never equal), a residual condition, and a key (5, 4)
-- present on one side only.
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

SELECT l.k1, l.k2, l.name, r.name AS rname, l.v, r.w
FROM l JOIN r
  ON l.k1 = r.k1 AND l.k2 = r.k2 AND l.v + r.w > 5;
