-- state_ttl_hints: STATE_TTL hints on a GROUP BY and on both sides of the LEFT JOIN that reads
-- it. With a day-long TTL nothing expires in this job, so the rows are those without hints;
-- job.plan shows each operator's TTL in its state column (streaming).
CREATE TABLE orders (oid BIGINT, pid BIGINT, qty BIGINT)
  WITH ('connector' = 'filesystem', 'path' = 'orders.csv', 'format' = 'csv');
CREATE TABLE products (id BIGINT, name STRING)
  WITH ('connector' = 'filesystem', 'path' = 'products.csv', 'format' = 'csv');

SELECT /*+ STATE_TTL('t' = '1d', 'p' = '12 h') */ t.pid, p.name, t.total
FROM (SELECT /*+ STATE_TTL('orders' = '2 h') */ pid, SUM(qty) AS total FROM orders GROUP BY pid) t
LEFT JOIN products p ON t.pid = p.id;
