-- window_offsets: TUMBLE and CUMULATE windows shifted by an offset (negative for TUMBLE)
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT 'tumble' AS kind, window_start, window_end, COUNT(*) AS n, SUM(price) AS s
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' MINUTE, INTERVAL '-2' MINUTE))
GROUP BY window_start, window_end
UNION ALL
SELECT 'cumulate' AS kind, window_start, window_end, COUNT(*) AS n, SUM(price) AS s
FROM TABLE(CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '2' MINUTE, INTERVAL '6' MINUTE, INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
