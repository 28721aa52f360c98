-- over_statistics: STDDEV_POP, STDDEV_SAMP, VAR_POP and VAR_SAMP in an event-time OVER window
-- (Flink accepts them there and reduces them as in GROUP BY: SUM(x * x), SUM(x) and COUNT(x)
-- over the frame, in the argument's type, so a BIGINT argument gives a BIGINT computed in
-- integer arithmetic). The sample forms are NULL over a frame with one value; all are NULL
-- without values (NULL prices). Timestamps ascend, so streaming gives the batch rows.
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
  STDDEV_POP(CAST(price AS DOUBLE)) OVER w AS sp, STDDEV_SAMP(CAST(price AS DOUBLE)) OVER w AS ss,
  VAR_POP(CAST(price AS DOUBLE)) OVER w AS vp, VARIANCE(CAST(price AS DOUBLE)) OVER w AS vs,
  STDDEV_POP(price) OVER w AS isp, VAR_SAMP(price) OVER w AS ivs
FROM bids
WINDOW w AS (PARTITION BY channel ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW);
