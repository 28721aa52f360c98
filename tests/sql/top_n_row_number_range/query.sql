-- top_n_row_number_range: ROW_NUMBER() BETWEEN 2 AND 3 (rankStart=2, rankEnd=3; the order is unique, so the numbers are too); streaming retracts rows that leave the range
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, price, ts, rn
FROM (
  SELECT auction, price, ts,
    ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC, ts) AS rn
  FROM bids
  WHERE price IS NOT NULL
)
WHERE rn BETWEEN 2 AND 3;
