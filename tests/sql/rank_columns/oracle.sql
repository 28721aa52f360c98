WITH bids AS (SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}))
SELECT a.auction, a.channel, a.price, a.r, a.dr, a.r_up, b.rn, c.seq
FROM (
  SELECT auction, channel, price, ts,
    RANK() OVER w AS r,
    DENSE_RANK() OVER w AS dr,
    RANK() OVER w + 100 AS r_up
  FROM bids WINDOW w AS (PARTITION BY channel ORDER BY price DESC NULLS LAST)
) a
JOIN (
  SELECT ts,
    ROW_NUMBER() OVER (PARTITION BY channel ORDER BY price NULLS FIRST, ts) AS rn
  FROM bids
) b ON a.ts = b.ts
JOIN (SELECT ts, ROW_NUMBER() OVER (ORDER BY ts) AS seq FROM bids) c ON a.ts = c.ts;
