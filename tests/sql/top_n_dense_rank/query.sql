-- top_n_dense_rank: DENSE_RANK() = 2 keeps the rows of each channel's second-smallest auction (ties share a rank, no gaps; the NULL channel is a partition too); batch only, as in Flink
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, bidder, channel
FROM (
  SELECT auction, bidder, channel,
    DENSE_RANK() OVER (PARTITION BY channel ORDER BY auction) AS dr
  FROM bids
)
WHERE dr = 2;
