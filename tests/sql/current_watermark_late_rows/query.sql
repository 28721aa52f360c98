-- current_watermark_late_rows: Flink's recipe for dropping late data,
-- `WHERE CURRENT_WATERMARK(ts) IS NULL OR ts > CURRENT_WATERMARK(ts)`, over a TIMESTAMP_LTZ(3)
-- rowtime with a 5-second delay and out-of-order rows, three of them exactly at the watermark
-- (late: Flink's watermark W means no more rows with ts <= W) and two just after it (kept).
-- In batch mode there are no watermarks: CURRENT_WATERMARK is NULL and every row is kept.
CREATE TABLE ev (
  seq INT,
  k INT,
  ts_ms BIGINT,
  ts AS TO_TIMESTAMP_LTZ(ts_ms, 3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');

SELECT seq, k, ts_ms
FROM ev
WHERE CURRENT_WATERMARK(ts) IS NULL OR ts > CURRENT_WATERMARK(ts);
