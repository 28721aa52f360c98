-- interval_join: bids of the same channel placed between one minute before and 30 seconds after another bid
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
FROM bids a, later_bids b
WHERE a.channel = b.channel
  AND b.ts BETWEEN a.ts - INTERVAL '1' MINUTE AND a.ts + INTERVAL '30' SECOND
  AND a.auction <> b.auction;
