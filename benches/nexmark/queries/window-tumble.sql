-- Window benchmark (event-time issue): bids per auction in each 10-second tumbling window of
-- event time. Run in batch mode and in streaming mode (results emitted as the watermark passes
-- each window's end).
CREATE TABLE nexmark_window_tumble (
    auction  BIGINT,
    window_start  TIMESTAMP(3),
    window_end  TIMESTAMP(3),
    bids  BIGINT
) WITH ('connector' = 'blackhole');

INSERT INTO nexmark_window_tumble
SELECT auction, window_start, window_end, COUNT(*) AS bids
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))
GROUP BY auction, window_start, window_end;
