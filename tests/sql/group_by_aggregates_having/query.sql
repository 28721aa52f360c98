-- group_by_aggregates_having
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT channel, COUNT(*) AS n, COUNT(bidder) AS nb, COUNT(DISTINCT auction) AS na,
  SUM(price) AS s, MIN(price) AS mn, MAX(price) AS mx, AVG(price) AS av
FROM bids
GROUP BY channel
HAVING COUNT(*) > 2;
