-- window_top_n_range: a window Top-N keeping ranks 2 and 3 of each 5-minute window (rn > 1 AND rn <= 3); the input is in time order, so streaming has no late rows and gives the batch rows
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT window_start, window_end, auction, price, rn
FROM (
  SELECT window_start, window_end, auction, price,
    ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY price DESC, ts) AS rn
  FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' MINUTE))
  WHERE price IS NOT NULL
)
WHERE rn > 1 AND rn <= 3;
