WITH bids AS (
  SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
)
SELECT 1 AS op, auction, channel FROM (
  SELECT auction, channel FROM bids INTERSECT SELECT auction, channel FROM bids WHERE price > 50)
UNION ALL
SELECT 2, auction, channel FROM (
  SELECT auction, channel FROM bids INTERSECT ALL SELECT auction, channel FROM bids WHERE price > 50)
UNION ALL
SELECT 3, auction, channel FROM (
  SELECT auction, channel FROM bids EXCEPT SELECT auction, channel FROM bids WHERE price > 50)
UNION ALL
SELECT 4, a, c FROM (
  SELECT auction AS a, channel AS c FROM bids EXCEPT ALL SELECT auction, channel FROM bids WHERE price > 50);
