WITH t AS (SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}))
SELECT a.auction, a.ts, b.auction AS other, b.ts AS other_ts
FROM t a LEFT JOIN t b
  ON a.channel = b.channel AND b.ts BETWEEN a.ts AND a.ts + INTERVAL 20 SECOND AND a.auction <> b.auction;
