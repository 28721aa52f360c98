-- Many keys, few rows each: 100,000 keys, a row every ms (100 s apart within a key), 1 s of
-- out-of-orderness allowed; each row joins the rows of its key within 100 s (itself and its
-- neighbours), so a key holds two or three rows per side.
CREATE TABLE bids (id BIGINT, k AS id % 100000, ts AS TO_TIMESTAMP_LTZ(id, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'datagen', 'number-of-rows' = '1000000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000000');
CREATE TABLE out (a BIGINT, b BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a.id, b.id FROM bids a, bids b
WHERE a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '100' SECOND AND a.ts + INTERVAL '100' SECOND;
