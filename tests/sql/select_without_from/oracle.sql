SELECT 1 AS one, UPPER('weir') AS name, 2 * 3 + 1 AS seven
UNION ALL
SELECT COUNT(*), 'count', SUM(5) FROM (SELECT 1 AS x);
