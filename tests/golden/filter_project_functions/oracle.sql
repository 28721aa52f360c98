SELECT auction, price*2, price // 7, upper(channel), CASE WHEN price > 9000 THEN 'big' ELSE 'small' END, length(channel)
  FROM read_csv('../data/bids.csv', header=false, columns={'auction':'BIGINT','bidder':'BIGINT','price':'BIGINT','channel':'VARCHAR','ts_ms':'BIGINT'}) WHERE price > 5000 AND bidder % 2 = 0
