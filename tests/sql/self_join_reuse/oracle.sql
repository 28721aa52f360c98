WITH bids AS (
  SELECT * FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
)
SELECT a.auction, a.bidder, b.bidder AS other, a.price - b.price AS diff
FROM bids a JOIN bids b ON a.auction = b.auction AND a.bidder < b.bidder
WHERE a.channel IS NOT NULL;
