-- DuckDB's TIME for query.sql; TIME values compared as the text Flink prints.
WITH t AS (
  SELECT * FROM read_csv('input.csv', header = false, nullstr = 'NULL',
    columns = {'id': 'INT', 't': 'TIME', 'ts': 'TIMESTAMP'})
)
SELECT
  id,
  CAST(t AS VARCHAR) AS t,
  CAST(t AS VARCHAR) AS t_text,
  hour(t)::BIGINT AS h,
  minute(t)::BIGINT AS mi,
  second(t)::BIGINT AS s,
  (millisecond(t) % 1000)::BIGINT AS ms,
  t > TIME '12:00:00' AS afternoon,
  t BETWEEN TIME '00:00:00' AND TIME '01:00:00' AS early,
  CAST(date_trunc('second', ts)::TIME AS VARCHAR) AS ts_time0,
  CAST(ts::TIME AS VARCHAR) AS ts_time3,
  DATE '1970-01-01' + t AS t_ts,
  (SELECT COUNT(*) FROM t AS u WHERE u.t = t.t) AS same_time
FROM t;
