SELECT auction AS k, price AS v FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}) WHERE price > 50
UNION ALL
SELECT id, seller FROM read_csv('auctions.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'seller': 'BIGINT', 'category': 'BIGINT', 'name': 'VARCHAR'})
UNION ALL
SELECT k, v FROM (SELECT auction AS k, bidder AS v FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}) UNION SELECT id, seller FROM read_csv('auctions.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'seller': 'BIGINT', 'category': 'BIGINT', 'name': 'VARCHAR'})) AS u WHERE k < 3;
