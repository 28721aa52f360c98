-- hop_offset_late_rows: 10-second HOP windows every 4 seconds (the slide does not divide the
-- size), shifted by 1 second, over event time. In batch mode every row counts; in streaming
-- mode (oracle.streaming.sql) a row arriving after some of its windows have fired is dropped
-- from those windows only, and still counts in its later ones.
CREATE TABLE ev (
  seq INT,
  k INT,
  ts_ms BIGINT,
  ts AS TO_TIMESTAMP_LTZ(ts_ms, 3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');

SELECT window_start, window_end, k, COUNT(*) AS n, SUM(seq) AS seqs
FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '4' SECOND, INTERVAL '10' SECOND, INTERVAL '1' SECOND))
GROUP BY window_start, window_end, k;
