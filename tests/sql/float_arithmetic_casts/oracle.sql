-- DuckDB's REAL is a 32-bit float with the same arithmetic; the DOUBLE and DECIMAL mixes are
-- written as the widening Flink does, CAST to an integer as Java's truncation.
SELECT
  id,
  f,
  f + n,
  f * 2,
  f / n,
  f - f * f,
  -f,
  abs(f),
  f::DOUBLE + d,
  f::DOUBLE * m::DOUBLE,
  f::DOUBLE,
  trunc(f)::INTEGER,
  trunc(f)::BIGINT,
  d::REAL,
  n::REAL,
  m::REAL,
  f::DOUBLE > 1.5,
  f >= n::REAL,
  sqrt(abs(f)::DOUBLE),
  ceil(f),
  floor(f)
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'id': 'INTEGER', 'f': 'REAL', 'd': 'DOUBLE', 'n': 'INTEGER', 'm': 'DECIMAL(10, 2)'})
WHERE f IS NULL OR f < 1e9::REAL;
