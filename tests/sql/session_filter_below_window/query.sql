-- session_filter_below_window: a WHERE over the input's columns after a SESSION window TVF
-- filters rows before they are sessionized, as Flink's planner pushes the filter below the
-- window: a filtered-out bid does not extend (or bridge) a session.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT window_start, window_end, channel, COUNT(*) AS n, SUM(price) AS s
FROM TABLE(SESSION(TABLE bids PARTITION BY channel, DESCRIPTOR(ts), INTERVAL '2' MINUTE)) AS w
WHERE w.price > 50 AND auction <> 3
GROUP BY window_start, window_end, channel;
