-- over_listagg: LISTAGG in an event-time OVER window (Flink accepts it there, as
-- ListAggWsWithRetractAggFunction): each row with its key's non-NULL `v` values of the frame,
-- the row and the two before it, joined in event-time order by `,` and by ' | '; NULL when the
-- frame has none (key b's rows 27, 30 and 36). Timestamps ascend and are unique, so the frame
-- order is the file order in both modes (no row is late in streaming mode).
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  seq BIGINT,
  k STRING,
  v STRING,
  n BIGINT,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT seq, k, COUNT(v) OVER w AS c, LISTAGG(v) OVER w AS vs, LISTAGG(v, ' | ') OVER w AS vs_bar
FROM t
WINDOW w AS (PARTITION BY k ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW);
