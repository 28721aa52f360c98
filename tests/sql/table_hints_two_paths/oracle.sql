WITH o AS (SELECT * FROM read_csv('orders_2024.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'customer': 'VARCHAR', 'amount': 'BIGINT'})),
     n AS (SELECT * FROM read_csv('orders_2025.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'customer': 'VARCHAR', 'amount': 'BIGINT'}))
SELECT 'pair' AS kind, o.customer, o.id AS id_2024, n.id AS id_2025, n.amount
FROM o JOIN n ON o.customer = n.customer
UNION ALL
SELECT 'total', customer, COUNT(*), MAX(id), SUM(amount)::BIGINT
FROM (SELECT * FROM o UNION ALL SELECT * FROM n)
GROUP BY customer;
