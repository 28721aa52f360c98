WITH ev AS (SELECT id, id % 3 AS k, id * 4 + (id * id) % 397 AS t FROM range(1, 9001) r(id))
SELECT a.id, b.id AS other
FROM ev a FULL JOIN ev b
  ON a.k = b.k AND b.t BETWEEN a.t - 30 AND a.t + 50 AND (a.id + b.id) % 7 = 0;
