-- Window benchmark (event-time issue): bids per bidder in each session of event time, a session
-- ending after 10 seconds without a bid from that bidder (Flink's SESSION window table-valued
-- function). Run in batch mode and in streaming mode.
CREATE TABLE nexmark_window_session (
    bidder  BIGINT,
    window_start  TIMESTAMP(3),
    window_end  TIMESTAMP(3),
    bids  BIGINT
) WITH ('connector' = 'blackhole');

INSERT INTO nexmark_window_session
SELECT bidder, window_start, window_end, COUNT(*) AS bids
FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end;
