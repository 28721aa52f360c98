-- grouping_sets_rollup_cube: ROLLUP, CUBE and GROUPING SETS (missing keys NULL), with
-- GROUPING / GROUPING_ID telling a rolled-up NULL from a NULL channel, and GROUP BY a
-- constant (grouped as a key of one value, not as a position: Flink does not read GROUP BY
-- ordinals). Op 5 has no aggregate at all: the () set is still one row.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT 1 AS op, channel, auction, COUNT(*) AS n, SUM(price) AS s, GROUPING(channel) AS g, GROUPING_ID(channel, auction) AS gid
FROM bids GROUP BY ROLLUP(channel, auction)
UNION ALL
SELECT 2, channel, auction, COUNT(*), SUM(price), GROUPING(auction), GROUPING_ID(auction, channel)
FROM bids WHERE auction < 4 GROUP BY CUBE(channel, auction)
UNION ALL
SELECT 3, channel, auction, COUNT(*), MAX(price), GROUPING(channel, auction), GROUPING(auction)
FROM bids GROUP BY GROUPING SETS ((channel), (auction), ()) HAVING COUNT(*) > 3
UNION ALL
SELECT 4, channel, auction, COUNT(*), MIN(price), CAST(0 AS BIGINT), CAST(0 AS BIGINT)
FROM bids GROUP BY 'k', channel, auction
UNION ALL
SELECT 5, channel, auction, CAST(0 AS BIGINT), CAST(0 AS BIGINT), GROUPING_ID(channel, auction), CAST(0 AS BIGINT)
FROM bids WHERE auction > 6 GROUP BY ROLLUP(channel, auction);
