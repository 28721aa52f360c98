SELECT 1 AS op, channel, auction, COUNT(*) AS n, SUM(price) AS s, GROUPING(channel) AS g, GROUPING_ID(channel, auction) AS gid
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}) GROUP BY ROLLUP(channel, auction)
UNION ALL
SELECT 2, channel, auction, COUNT(*), SUM(price), GROUPING(auction), GROUPING_ID(auction, channel)
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}) WHERE auction < 4 GROUP BY CUBE(channel, auction)
UNION ALL
SELECT 3, channel, auction, COUNT(*), MAX(price), GROUPING(channel, auction), GROUPING(auction)
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}) GROUP BY GROUPING SETS ((channel), (auction), ()) HAVING COUNT(*) > 3
UNION ALL
SELECT 4, channel, auction, COUNT(*), MIN(price), CAST(0 AS BIGINT), CAST(0 AS BIGINT)
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}) GROUP BY 'k', channel, auction
UNION ALL
SELECT 5, channel, auction, CAST(0 AS BIGINT), CAST(0 AS BIGINT), GROUPING_ID(channel, auction), CAST(0 AS BIGINT)
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}) WHERE auction > 6 GROUP BY ROLLUP(channel, auction);
