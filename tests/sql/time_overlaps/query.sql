-- time_overlaps: `(s0, e0) OVERLAPS (s1, e1)` as Flink (Calcite) computes it — ends touching
-- overlap, reversed periods are turned round, NULLs as Flink's rewrite gives them — with two
-- points, with a point and an interval, and with DATEs.
CREATE TABLE periods (
  id INT,
  s0 TIMESTAMP(3),
  e0 TIMESTAMP(3),
  s1 TIMESTAMP(3),
  e1 TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT id,
  (s0, e0) OVERLAPS (s1, e1) AS by_points,
  (s0, INTERVAL '30' MINUTE) OVERLAPS (s1, e1) AS by_interval,
  (s1, e1) OVERLAPS (s0, e0) AS swapped,
  (CAST(s0 AS DATE), CAST(e0 AS DATE)) OVERLAPS (DATE '2024-01-01', INTERVAL '1' DAY) AS by_date
FROM periods;
