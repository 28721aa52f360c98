-- State benchmark: bids and the highest price per auction, a regular (unwindowed) streaming
-- GROUP BY over ever-new keys: Nexmark's auction ids grow without end, so without
-- 'table.exec.state.ttl' its state grows with the stream; with it, idle auctions' groups go.
CREATE TABLE nexmark_groupby_auction (
    auction  BIGINT,
    bids  BIGINT,
    max_price  BIGINT
) WITH ('connector' = 'blackhole');

INSERT INTO nexmark_groupby_auction
SELECT auction, COUNT(*) AS bids, MAX(price) AS max_price
FROM bid
GROUP BY auction;
