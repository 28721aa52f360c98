-- interval_left_join: every bid with the bids of other auctions on its channel placed within 20 seconds after it;
-- bids with none (or without a channel) kept once, padded with NULLs (a LEFT interval join)
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');
CREATE TABLE later_bids (
  auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT a.auction, a.ts, b.auction AS other, b.ts AS other_ts
FROM bids a LEFT JOIN later_bids b
  ON a.channel = b.channel AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '20' SECOND AND a.auction <> b.auction;
