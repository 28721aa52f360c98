-- tumble_computed_event_time: a 10-second tumbling window over event time computed from epoch
-- milliseconds (`ts AS TO_TIMESTAMP_LTZ(ts_ms, 3)`), with the watermark on that computed column.
-- In batch mode every row counts; in streaming mode (oracle.streaming.sql) rows 6 and 9 arrive
-- after their windows have fired and are dropped.
CREATE TABLE ev (
  seq INT,
  k INT,
  ts_ms BIGINT,
  ts AS TO_TIMESTAMP_LTZ(ts_ms, 3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');

SELECT window_start, window_end, k, COUNT(*) AS n, SUM(seq) AS seqs, MAX(ts_ms) AS last_ms
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, k;
