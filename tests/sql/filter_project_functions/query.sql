-- filter_project_functions
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, UPPER(channel) AS ch, price * 2 AS p2,
  CASE WHEN price > 50 THEN 'high' ELSE 'low' END AS band, CHAR_LENGTH(channel) AS len
FROM bids
WHERE price IS NOT NULL AND channel LIKE 'a%' AND auction BETWEEN 2 AND 7;
