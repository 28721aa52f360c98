-- rank_columns: ROW_NUMBER, RANK and DENSE_RANK as columns (no Top-N filter) with ties and NULLs in the order (Flink: NULLs first ascending, last descending); batch only, as in Flink (its streaming mode numbers rows only under a Top-N filter)
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT a.auction, a.channel, a.price, a.r, a.dr, a.r_up, b.rn, c.seq
FROM (
  SELECT auction, channel, price, ts,
    RANK() OVER w AS r,
    DENSE_RANK() OVER w AS dr,
    RANK() OVER w + 100 AS r_up
  FROM bids WINDOW w AS (PARTITION BY channel ORDER BY price DESC)
) a
JOIN (
  SELECT ts,
    ROW_NUMBER() OVER (PARTITION BY channel ORDER BY price, ts) AS rn
  FROM bids
) b ON a.ts = b.ts
JOIN (SELECT ts, ROW_NUMBER() OVER (ORDER BY ts) AS seq FROM bids) c ON a.ts = c.ts;
