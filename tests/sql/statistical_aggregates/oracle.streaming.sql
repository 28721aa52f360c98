WITH bids AS (
  SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
)
SELECT bidder, COUNT(price) AS n,
  stddev_pop(CAST(price AS DOUBLE)) AS sp, stddev_samp(CAST(price AS DOUBLE)) AS ss,
  var_pop(CAST(price AS DOUBLE)) AS vp, var_samp(CAST(price AS DOUBLE)) AS vs,
  stddev_samp(CAST(price AS DOUBLE)) AS sd, var_samp(CAST(price AS DOUBLE)) AS va,
  -- Flink's reduction in BIGINT: (SUM(x*x) - SUM(x)*SUM(x)/COUNT(x)) / COUNT(x), integer
  -- division truncating; POWER(.., 0.5) cast back to BIGINT truncates.
  CAST(trunc(power((SUM(price * price) - (SUM(price) * SUM(price)) // COUNT(price)) // COUNT(price), 0.5)) AS BIGINT) AS isp,
  CAST((SUM(price * price) - (SUM(price) * SUM(price)) // COUNT(price)) // CASE WHEN COUNT(price) = 1 THEN NULL ELSE COUNT(price) - 1 END AS BIGINT) AS ivs,
  stddev_samp(CAST(price AS DOUBLE)) FILTER (WHERE price > 20) AS ssf
FROM bids
GROUP BY bidder;
