SELECT b.auction, b.price, p.name, p.state FROM (SELECT * FROM read_csv('../data/bids.csv', header=false, columns={'auction':'BIGINT','bidder':'BIGINT','price':'BIGINT','channel':'VARCHAR','ts_ms':'BIGINT'}) WHERE price < 2500) b JOIN read_csv('../data/persons.csv', header=false, columns={'id':'BIGINT','name':'VARCHAR','state':'VARCHAR'}) p
      ON b.bidder = p.id AND p.state <> 'CA'
