WITH orders AS (SELECT * FROM read_csv('orders.csv', header=false, columns={'oid': 'BIGINT', 'pid': 'BIGINT', 'qty': 'BIGINT'})),
     products AS (SELECT * FROM read_csv('products.csv', header=false, columns={'id': 'BIGINT', 'name': 'VARCHAR'}))
SELECT t.pid, p.name, t.total
FROM (SELECT pid, SUM(qty) AS total FROM orders GROUP BY pid) t
LEFT JOIN products p ON t.pid = p.id;
