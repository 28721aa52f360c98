-- hash_and_string_functions: MD5, SHA1, SHA256, TO_BASE64, FROM_BASE64, INSTR, ASCII, CHR,
-- GREATEST, LEAST (NULL if any argument is NULL, as Flink), TRUNCATE and BETWEEN SYMMETRIC.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  id INT,
  s STRING,
  a INT,
  b INT,
  x DOUBLE
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT
  id,
  MD5(s) AS md5,
  SHA1(s) AS sha1,
  SHA256(s) AS sha256,
  TO_BASE64(s) AS b64,
  FROM_BASE64(TO_BASE64(s)) AS round_trip,
  INSTR(s, 'l') AS first_l,
  ASCII(s) AS first_code,
  CHR(a + 62) AS chr,
  GREATEST(a, b, 4) AS greatest,
  LEAST(a, b, 4) AS least,
  TRUNCATE(x, 2) AS trunc2,
  TRUNCATE(x) AS trunc0,
  a BETWEEN SYMMETRIC b AND 4 AS between_sym,
  a NOT BETWEEN SYMMETRIC 6 AND b AS not_between_sym
FROM t;
