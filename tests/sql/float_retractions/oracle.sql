-- The same query over DuckDB's REAL; the outer SUM (a DOUBLE in DuckDB) cast back to REAL.
SELECT g, sum(mx)::REAL, min(mx), max(mx), count(*)
FROM (
  SELECT g, k, max(f) AS mx
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'g': 'VARCHAR', 'k': 'INTEGER', 'f': 'REAL'})
  GROUP BY g, k
)
GROUP BY g;
