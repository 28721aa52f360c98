-- top_n_rank_ties: RANK() keeps every row tied at a kept rank, and skips ranks after a tie (rankStart=2, rankEnd=4); batch only, as in Flink (its streaming Rank rejects RANK())
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT *
FROM (
  SELECT auction, bidder, channel,
    RANK() OVER (PARTITION BY channel ORDER BY auction DESC) AS r
  FROM bids
  WHERE channel IS NOT NULL
)
WHERE r > 1 AND r <= 4;
