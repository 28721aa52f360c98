-- unread_column_bad_values: only the columns a query reads are parsed (projection pushdown),
-- so values that would not parse in `qty` (INT) and `ts` (TIMESTAMP) fail nothing, as in
-- Flink's CSV format with a projection.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE orders (
  id BIGINT,
  amount BIGINT,
  qty INT,
  ts TIMESTAMP(3),
  channel STRING
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');

SELECT id, SUM(amount) AS total, COUNT(*) AS n
FROM orders
WHERE channel <> 'none'
GROUP BY id;
