-- DuckDB's string_agg over the same frame, ordered by the window's ORDER BY; NULL when every
-- value is NULL, as LISTAGG.
SELECT seq, k, COUNT(v) OVER w AS c, string_agg(v, ',') OVER w AS vs, string_agg(v, ' | ') OVER w AS vs_bar
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'seq': 'BIGINT', 'k': 'VARCHAR', 'v': 'VARCHAR', 'n': 'BIGINT', 'ts': 'TIMESTAMP'})
WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW);
