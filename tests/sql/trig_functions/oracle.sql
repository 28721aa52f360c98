-- DuckDB computes the same functions with the same libm; BIN of a negative number is written
-- out as Java's two's complement (2^64 + n), STARTSWITH/ENDSWITH as starts_with/suffix.
SELECT
  id,
  sin(x) AS sin_x,
  cos(x) AS cos_x,
  tan(x) AS tan_x,
  cot(x) AS cot_x,
  asin(x / 2) AS asin_x,
  acos(x / 2) AS acos_x,
  atan(x) AS atan_x,
  atan2(x, 2) AS atan2_x,
  sinh(x) AS sinh_x,
  cosh(x) AS cosh_x,
  tanh(x) AS tanh_x,
  degrees(x) AS deg,
  radians(x) AS rad,
  pi() * x AS pi_x,
  exp(1) AS e,
  CASE WHEN n < 0 THEN bin(CAST(n AS HUGEINT) + 18446744073709551616) ELSE bin(n) END AS bin_n,
  starts_with(s, 'fl') AS starts_fl,
  suffix(s, 'ink') AS ends_ink
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'id': 'INTEGER', 'x': 'DOUBLE', 'n': 'BIGINT', 's': 'VARCHAR'});
