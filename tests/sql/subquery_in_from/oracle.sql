SELECT s.channel, s.total, s.n
FROM (SELECT channel, SUM(price) AS total, COUNT(*) AS n FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}) GROUP BY channel) AS s
WHERE s.total > 100;
