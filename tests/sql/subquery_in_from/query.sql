-- subquery_in_from
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT s.channel, s.total, s.n
FROM (SELECT channel, SUM(price) AS total, COUNT(*) AS n FROM bids GROUP BY channel) AS s
WHERE s.total > 100;
