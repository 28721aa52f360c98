-- Few keys, many rows each: 4 keys, a row every ms (4 ms apart within a key), 10 s of
-- out-of-orderness allowed, so each key holds about 2,500 rows per side; each row joins the
-- five rows of its key within 10 ms.
CREATE TABLE bids (id BIGINT, k AS id % 4, ts AS TO_TIMESTAMP_LTZ(id, 3), WATERMARK FOR ts AS ts - INTERVAL '10' SECOND)
  WITH ('connector' = 'datagen', 'number-of-rows' = '20000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '20000');
CREATE TABLE out (a BIGINT, b BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a.id, b.id FROM bids a, bids b
WHERE a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '0.01' SECOND AND a.ts + INTERVAL '0.01' SECOND;
