WITH t AS (SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}))
SELECT a.auction, a.ts, b.auction AS other, b.ts AS other_ts
FROM t a JOIN t b ON a.channel = b.channel
WHERE b.ts BETWEEN a.ts - INTERVAL 1 MINUTE AND a.ts + INTERVAL 30 SECOND AND a.auction <> b.auction;
