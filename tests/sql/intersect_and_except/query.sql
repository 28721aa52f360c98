-- intersect_and_except: INTERSECT, INTERSECT ALL, EXCEPT and EXCEPT ALL over (auction,
-- channel) pairs, which repeat and hold NULL channels (set operations compare NULLs equal).
-- The ALL forms keep a row min(m, n) and max(m - n, 0) times for m copies on the left and n
-- on the right, as the SQL standard and Flink define them.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

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
