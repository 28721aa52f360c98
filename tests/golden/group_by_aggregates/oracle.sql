SELECT auction, count(*), count(price), sum(price), min(price), max(price), CAST(trunc(avg(price)) AS BIGINT),
  count(DISTINCT bidder), count(*) FILTER (WHERE channel = 'web') FROM read_csv('../data/bids.csv', header=false, columns={'auction':'BIGINT','bidder':'BIGINT','price':'BIGINT','channel':'VARCHAR','ts_ms':'BIGINT'}) GROUP BY auction
