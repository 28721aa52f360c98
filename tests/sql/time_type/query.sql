-- time_type: TIME(3) columns read from CSV, printed as Flink prints them (`12:34:56`,
-- `00:00:00.5`: fraction digits only when there are milliseconds, trailing zeros dropped),
-- compared, used as a GROUP BY key and a join key, HOUR/MINUTE/SECOND/EXTRACT of it, and
-- CAST between TIME, TIMESTAMP and STRING (TIMESTAMP to TIME(0) drops the milliseconds; TIME
-- to TIMESTAMP is that time on 1970-01-01), as in Flink 2.3.
CREATE TABLE t (
  id INT,
  t TIME(3),
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT
  id,
  t,
  CAST(t AS STRING) AS t_text,
  HOUR(t) AS h,
  MINUTE(t) AS mi,
  SECOND(t) AS s,
  EXTRACT(MILLISECOND FROM t) AS ms,
  t > TIME '12:00:00' AS afternoon,
  t BETWEEN TIME '00:00' AND TIME '01:00' AS early,
  CAST(ts AS TIME) AS ts_time0,
  CAST(ts AS TIME(3)) AS ts_time3,
  CAST(t AS TIMESTAMP(3)) AS t_ts,
  (SELECT COUNT(*) FROM t AS u WHERE u.t = t.t) AS same_time
FROM t;
