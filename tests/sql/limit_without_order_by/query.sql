-- limit_without_order_by: LIMIT (and FETCH) without ORDER BY keeps that many rows, whichever.
-- The result counts them, so it does not depend on which rows are kept.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  id INT,
  tag STRING
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');

SELECT COUNT(*) AS kept, COUNT(DISTINCT id) AS distinct_ids FROM (SELECT id, tag FROM t LIMIT 3) AS s;
