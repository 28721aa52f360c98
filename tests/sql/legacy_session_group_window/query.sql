-- legacy_session_group_window: Flink's GROUP BY SESSION(ts, gap) with SESSION_START/SESSION_END (Nexmark q11's form)
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT channel, COUNT(*) AS n, SUM(price) AS s,
  SESSION_START(ts, INTERVAL '2' MINUTE) AS ws, SESSION_END(ts, INTERVAL '2' MINUTE) AS we
FROM bids
GROUP BY channel, SESSION(ts, INTERVAL '2' MINUTE);
