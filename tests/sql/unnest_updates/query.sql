-- unnest_updates: UNNEST of an ARRAY built from an updating aggregate. In streaming mode
-- each update of a group retracts the rows unnested from its previous array before adding
-- the new ones (Flink's Correlate passes the changelog through), so the final rows are
-- the batch ones.
CREATE TABLE t (
  k INT,
  v INT
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');

SELECT k, x, o
FROM (SELECT k, ARRAY[k * 100, SUM(v), COUNT(*)] AS a FROM t GROUP BY k) s
CROSS JOIN UNNEST(a) WITH ORDINALITY AS u(x, o);
