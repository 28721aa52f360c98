-- union_all_and_union
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');
CREATE TABLE auctions (
  id BIGINT,
  seller BIGINT,
  category BIGINT,
  name STRING
) WITH ('connector' = 'filesystem', 'path' = 'auctions.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction AS k, price AS v FROM bids WHERE price > 50
UNION ALL
SELECT id, seller FROM auctions
UNION ALL
SELECT k, v FROM (SELECT auction AS k, bidder AS v FROM bids UNION SELECT id, seller FROM auctions) AS u WHERE k < 3;
