-- table_hints_two_paths: one table read from two files by Flink's dynamic table options
-- (`/*+ OPTIONS('path' = ..) */` after the table name): a self-join of this year's orders
-- with last year's, and both years in one UNION ALL through a view whose body is hinted.
CREATE TABLE orders (
  id BIGINT,
  customer STRING,
  amount BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'orders_2024.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');
CREATE VIEW orders_2025 AS SELECT * FROM orders /*+ OPTIONS('path' = 'orders_2025.csv') */;

SELECT 'pair' AS kind, o.customer, o.id AS id_2024, n.id AS id_2025, n.amount
FROM orders AS o
JOIN orders /*+ OPTIONS('path' = 'orders_2025.csv', 'csv.null-literal' = 'NULL') */ AS n
  ON o.customer = n.customer
UNION ALL
SELECT 'total', customer, COUNT(*), MAX(id), SUM(amount)
FROM (SELECT * FROM orders UNION ALL SELECT * FROM orders_2025)
GROUP BY customer;
