-- DuckDB's own functions for the DOUBLE argument; Flink's reduction in BIGINT written out for
-- `price` (integer division truncating; POWER(.., 0.5) cast back to BIGINT truncates).
SELECT channel, ts, price,
  stddev_pop(CAST(price AS DOUBLE)) OVER w AS sp, stddev_samp(CAST(price AS DOUBLE)) OVER w AS ss,
  var_pop(CAST(price AS DOUBLE)) OVER w AS vp, var_samp(CAST(price AS DOUBLE)) OVER w AS vs,
  CAST(trunc(power((SUM(price * price) OVER w - (SUM(price) OVER w * SUM(price) OVER w) // COUNT(price) OVER w) // COUNT(price) OVER w, 0.5)) AS BIGINT) AS isp,
  CAST((SUM(price * price) OVER w - (SUM(price) OVER w * SUM(price) OVER w) // COUNT(price) OVER w) // CASE WHEN COUNT(price) OVER w = 1 THEN NULL ELSE COUNT(price) OVER w - 1 END AS BIGINT) AS ivs
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
WINDOW w AS (PARTITION BY channel ORDER BY ts RANGE BETWEEN INTERVAL 2 MINUTE PRECEDING AND CURRENT ROW);
