-- over_named_window_refined: `OVER (w ROWS ...)` refines the named window w (its PARTITION BY and ORDER BY)
-- with a frame of its own, as Calcite resolves window refinement for Flink; the oracle writes it inline
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, channel, price, ts,
  SUM(price) OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s3,
  COUNT(price) OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS n3,
  MAX(price) OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS hi3
FROM bids
WINDOW w AS (PARTITION BY channel ORDER BY ts);
