-- select_without_from: a SELECT without FROM is one row (Calcite reads it as FROM VALUES (0)),
-- also under an aggregate and a UNION ALL.
SET 'execution.runtime-mode' = 'batch';

SELECT 1 AS one, UPPER('weir') AS name, 2 * 3 + 1 AS seven
UNION ALL
SELECT COUNT(*), 'count', SUM(5) FROM (SELECT 1 AS x);
