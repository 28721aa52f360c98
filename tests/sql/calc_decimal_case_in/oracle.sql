SELECT auction, bidder, price,
  0.908 * price AS euros,
  amount * 3 + 0.125 AS scaled,
  amount - price AS diff,
  CAST(amount AS DECIMAL(38, 2)) * amount AS squared,
  TRY_CAST(price AS DECIMAL(12, 2)) + amount AS total, -- Flink: NULL when it does not fit
  CASE WHEN amount > 100 THEN amount * 2 WHEN price IN (1, 2, 3) THEN price ELSE 0 END AS c1,
  CASE channel WHEN 'app' THEN 1 WHEN 'web' THEN 2 END AS c2,
  CASE auction % 3 WHEN 0 THEN amount WHEN 1 THEN -amount ELSE 0.5 END AS c3,
  price IN (10, 20, 30, NULL) AS in_null,
  price NOT IN (10, 20, 30) AS not_in,
  auction IN (1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1010, 1011, 1012, 1013, 1014, 1015, 1016, 1017, 1018) AS in_long,
  channel IN ('app', 'api') AS ch,
  channel NOT IN ('app', NULL) AS ch_null,
  channel LIKE 'a%' AS like_a,
  amount BETWEEN 10 AND 1000.5 AS mid,
  amount > 100 AND price IN (20, 30) AS big
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'amount': 'DECIMAL(10, 2)', 'channel': 'VARCHAR'});
