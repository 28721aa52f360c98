-- DuckDB's GREATEST/LEAST skip NULLs; Flink's give NULL when any argument is NULL. DuckDB has
-- no BETWEEN SYMMETRIC: it is written out as the standard defines it.
SELECT
  id,
  md5(s) AS md5,
  sha1(s) AS sha1,
  sha256(s) AS sha256,
  to_base64(s::BLOB) AS b64,
  decode(from_base64(to_base64(s::BLOB))) AS round_trip,
  instr(s, 'l') AS first_l,
  ascii(s) AS first_code,
  chr(a + 62) AS chr,
  CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE greatest(a, b, 4) END AS greatest,
  CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE least(a, b, 4) END AS least,
  trunc(x * 100) / 100 AS trunc2,
  trunc(x) AS trunc0,
  (a BETWEEN b AND 4) OR (a BETWEEN 4 AND b) AS between_sym,
  NOT ((a BETWEEN 6 AND b) OR (a BETWEEN b AND 6)) AS not_between_sym
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'id': 'INTEGER', 's': 'VARCHAR', 'a': 'INTEGER', 'b': 'INTEGER', 'x': 'DOUBLE'});
