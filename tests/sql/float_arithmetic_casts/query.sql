-- float_arithmetic_casts: FLOAT (= REAL) is Flink's 32-bit float. FLOAT with FLOAT or an integer
-- is FLOAT, computed in 32 bits (DuckDB's REAL does the same); FLOAT with DOUBLE or DECIMAL is
-- DOUBLE (Calcite's leastRestrictive: the FLOAT widens exactly, so 2.7 becomes
-- 2.700000047683716); CAST to INT truncates as Java's (int) does; CAST to FLOAT rounds to the
-- nearest float (16777217 is 16777216.0); comparing with a DECIMAL literal compares as DOUBLE.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  id INT,
  f FLOAT,
  d DOUBLE,
  n INT,
  m DECIMAL(10, 2)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT
  id,
  f,
  f + n AS f_plus_n,
  f * 2 AS f_twice,
  f / n AS f_by_n,
  f - f * f AS f_poly,
  -f AS neg,
  ABS(f) AS abs_f,
  f + d AS f_plus_d,
  f * m AS f_times_m,
  CAST(f AS DOUBLE) AS f_double,
  CAST(f AS INT) AS f_int,
  CAST(f AS BIGINT) AS f_bigint,
  CAST(d AS FLOAT) AS d_float,
  CAST(n AS REAL) AS n_float,
  CAST(m AS FLOAT) AS m_float,
  f > 1.5 AS gt_decimal,
  f >= n AS ge_int,
  SQRT(ABS(f)) AS root,
  CEIL(f) AS ceil_f,
  FLOOR(f) AS floor_f
FROM t
WHERE f IS NULL OR f < CAST(1e9 AS FLOAT);
