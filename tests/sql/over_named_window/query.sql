-- over_named_window: OVER aggregates over windows named in a WINDOW clause (Flink/Calcite resolve
-- `OVER w` to the definition, and `OVER (w ROWS ...)` refines it: its partitioning and order with
-- its own frame); the oracle writes the windows inline
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT channel, ts, price,
  COUNT(*) OVER w AS n, MIN(price) OVER w + 0 AS lo
FROM bids
WHERE auction <> 5
WINDOW w AS (PARTITION BY channel ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW);
