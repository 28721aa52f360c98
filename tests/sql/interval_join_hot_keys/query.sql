-- interval_join_hot_keys: three keys holding thousands of rows each (12 s of out-of-orderness
-- allowed, a row every 4 ms, 9,000 rows), each row joining the few rows of its key between 30 ms
-- before and 50 ms after it that pass a residual condition; rows with none padded with NULLs
-- on either side (a FULL interval join). Event times are out of order by up to 396 ms, and
-- pairs lie exactly on and just outside both bounds of the interval.
CREATE TABLE ev (
  id BIGINT,
  k AS id % 3,
  ts AS TO_TIMESTAMP_LTZ(id * 4 + MOD(id * id, 397), 3),
  WATERMARK FOR ts AS ts - INTERVAL '12' SECOND
) WITH ('connector' = 'datagen', 'number-of-rows' = '9000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '9000');

SELECT a.id, b.id AS other
FROM ev a FULL JOIN ev b
  ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '0.03' SECOND AND a.ts + INTERVAL '0.05' SECOND AND MOD(a.id + b.id, 7) = 0;
