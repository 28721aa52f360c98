-- DuckDB sums a REAL in a DOUBLE; the exact sum of two floats rounded once to REAL is their
-- 32-bit sum. AVG is a DOUBLE mean cast to REAL, as Flink's.
SELECT g, sum(f)::REAL, avg(f)::REAL, min(f), max(f), count(f), sum(f)::REAL * 2::REAL
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'g': 'VARCHAR', 'f': 'REAL'})
GROUP BY g;
