-- trig_functions: SIN, COS, TAN, COT, ASIN, ACOS, ATAN, ATAN2, SINH, COSH, TANH, DEGREES,
-- RADIANS, PI(), E(), BIN (Java's Long.toBinaryString: 64-bit two's complement when negative),
-- STARTSWITH, ENDSWITH; NULL in, NULL out.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  id INT,
  x DOUBLE,
  n BIGINT,
  s STRING
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT
  id,
  SIN(x) AS sin_x,
  COS(x) AS cos_x,
  TAN(x) AS tan_x,
  COT(x) AS cot_x,
  ASIN(x / 2) AS asin_x,
  ACOS(x / 2) AS acos_x,
  ATAN(x) AS atan_x,
  ATAN2(x, 2) AS atan2_x,
  SINH(x) AS sinh_x,
  COSH(x) AS cosh_x,
  TANH(x) AS tanh_x,
  DEGREES(x) AS deg,
  RADIANS(x) AS rad,
  PI() * x AS pi_x,
  E() AS e,
  BIN(n) AS bin_n,
  STARTSWITH(s, 'fl') AS starts_fl,
  ENDSWITH(s, 'ink') AS ends_ink
FROM t;
