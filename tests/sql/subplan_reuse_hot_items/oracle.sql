-- HOP windows [k * 2 min, + 5 min): a row belongs to each window whose span holds it; per
-- window, the auctions whose bid count is the window's largest.
WITH bids AS (
  SELECT *, epoch_ms(ts) AS ms
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
), assigned AS (
  SELECT bids.*, (floor(ms / 120000)::BIGINT - d) * 120000 AS start_ms
  FROM bids, range(0, 4) AS r(d)
), counts AS (
  SELECT auction, start_ms, COUNT(*) AS num
  FROM assigned
  WHERE start_ms <= ms AND ms < start_ms + 300000
  GROUP BY auction, start_ms
), most AS (
  SELECT start_ms, MAX(num) AS maxn FROM counts GROUP BY start_ms
)
SELECT c.auction, c.num, make_timestamp(c.start_ms * 1000) AS starttime, make_timestamp((c.start_ms + 300000) * 1000) AS endtime
FROM counts c JOIN most m ON c.start_ms = m.start_ms AND c.num >= m.maxn;
