-- cast_flink_semantics: casts whose results Flink 2.x defines differently from a naive reading.
-- Expected values (oracle.sql) are Flink's, from its cast rules:
--  * CAST to TINYINT/SMALLINT wraps as Java's (byte)/(short) casts: 300 -> 44, -129 -> 127,
--    70000 -> 112 (TINYINT) and 4464 (SMALLINT);
--  * STRING -> INT drops a fraction: '3.7' -> 3, '-3.7' -> -3; 'abc' fails (NULL with TRY_CAST);
--  * BOOLEAN -> STRING is upper case: TRUE / FALSE;
--  * TIMESTAMP(3) -> STRING keeps three fraction digits ('... 22:13:20.000'); TIMESTAMP(0) has none;
--  * a string with ISO's 'T' separator is not a SQL timestamp: TRY_CAST gives NULL;
--  * TIMESTAMP -> DATE takes the calendar day (1969-12-31 23:59:59.500 is 1969-12-31);
--  * CEIL of a DOUBLE keeps the sign of zero as Java does: CEIL(-0.5) prints -0.0;
--  * a TIMESTAMP literal has the precision it is written with (TIMESTAMP '.. 10:00:00' is
--    TIMESTAMP(0), '.. 10:00:00.5' TIMESTAMP(1)): CAST to STRING prints that many digits
--    (checked with Flink 2.3's print connector).
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  id INT,
  n INT,
  s STRING,
  ts TIMESTAMP(3),
  d DOUBLE,
  b BOOLEAN
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT
  id,
  CAST(n AS TINYINT) AS tiny,
  CAST(n AS SMALLINT) AS small,
  TRY_CAST(s AS INT) AS s_int,
  CAST(b AS STRING) AS b_text,
  CAST(ts AS STRING) AS ts_text,
  CAST(CAST(ts AS TIMESTAMP(0)) AS STRING) AS ts0_text,
  CAST(ts AS DATE) AS day,
  CAST(CEIL(d) AS STRING) AS ceil_text,
  TRY_CAST(REPLACE(CAST(ts AS STRING), ' ', 'T') AS TIMESTAMP(3)) AS iso_ts,
  CAST(TIMESTAMP '2023-01-01 10:00:00' AS STRING) AS lit0_text,
  CAST(TIMESTAMP '2023-01-01 10:00:00.5' AS STRING) AS lit1_text,
  CAST(TIMESTAMP '2023-01-01 10:00:00.500' AS STRING) AS lit3_text
FROM t;
