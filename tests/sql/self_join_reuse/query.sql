-- self_join_reuse: a table joined with itself reads one scan (sub-plan reuse), whose rows
-- carry the columns both sides use; every pair of bids on one auction by different bidders.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT a.auction, a.bidder, b.bidder AS other, a.price - b.price AS diff
FROM bids a JOIN bids b ON a.auction = b.auction AND a.bidder < b.bidder
WHERE a.channel IS NOT NULL;
