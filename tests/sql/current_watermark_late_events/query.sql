-- current_watermark_late_events: the other half of Flink's recipe, routing late rows elsewhere
-- (`INSERT INTO late_events SELECT * FROM events WHERE ts <= CURRENT_WATERMARK(ts)`), with the
-- watermark each late row arrived behind, over a TIMESTAMP(3) rowtime (so CURRENT_WATERMARK is
-- TIMESTAMP(3)). A late row's watermark does not depend on batching: it is the one its source
-- had reached when it read the row. In batch mode CURRENT_WATERMARK is NULL: no row is late.
CREATE TABLE ev (
  seq INT,
  k INT,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');

SELECT seq, ts, CURRENT_WATERMARK(ts) AS wm
FROM ev
WHERE ts <= CURRENT_WATERMARK(ts);
