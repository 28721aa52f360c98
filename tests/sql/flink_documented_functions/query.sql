-- flink_documented_functions: results Flink 2.x defines and DuckDB computes differently (or not
-- at all), worked out in oracle.sql from Flink's implementation (SqlFunctionUtils, Calcite's
-- SqlFunctions and Flink's DateTimeUtils):
--  * LPAD/RPAD with an empty pad give NULL;
--  * INITCAP treats only ASCII letters and digits as word characters ('émile' -> 'éMile');
--  * OVERLAY(s PLACING r FROM p FOR n), INSTR(s, sub, start, nth) (negative start: from the end);
--  * SIMILAR TO: SQL patterns, where '.' is a literal dot;
--  * TIMESTAMPADD clamps to the month's end; TIMESTAMPDIFF counts whole units toward zero
--    (months as Calcite's subtractMonths);
--  * EXTRACT(MILLISECOND) is the milliseconds within the second; ISODOW is 1 (Monday) .. 7;
--    DOY the day of the year; WEEK the ISO week;
--  * FLOOR/CEIL(ts TO WEEK): weeks start on Sunday.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  id INT,
  s STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT
  id,
  LPAD(s, 3, '') AS lpad_empty,
  RPAD(s, 12, '*') AS rpad,
  INITCAP(s) AS initcap,
  OVERLAY(s PLACING 'XY' FROM 2 FOR 3) AS overlay,
  INSTR(s, 'o', -1, 1) AS last_o,
  INSTR(s, 'o', 1, 2) AS second_o,
  s SIMILAR TO '(h|j)%' AS starts_h_or_j,
  s SIMILAR TO '%.%' AS has_dot,
  TIMESTAMPADD(MONTH, 1, ts) AS plus_month,
  TIMESTAMPDIFF(DAY, ts, TIMESTAMP '2024-03-01 00:00:00') AS days_to,
  TIMESTAMPDIFF(MONTH, ts, TIMESTAMP '2024-03-01 00:00:00') AS months_to,
  EXTRACT(MILLISECOND FROM ts) AS ms,
  EXTRACT(ISODOW FROM ts) AS isodow,
  EXTRACT(DOY FROM ts) AS doy,
  EXTRACT(WEEK FROM ts) AS week,
  FLOOR(ts TO WEEK) AS week_start,
  CEIL(ts TO WEEK) AS week_end
FROM t;
