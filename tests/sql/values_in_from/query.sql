-- values_in_from: VALUES lists as inline tables (typed by their cells' common type, NULLs
-- allowed), joined with a file table and unioned with another VALUES list.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT b.auction, b.price, c.label, c.weight * b.price AS weighted
FROM bids AS b JOIN (VALUES ('app', 'mobile', 2), ('web', 'browser', 1.5), ('api', NULL, 3)) AS c(channel, label, weight)
  ON b.channel = c.channel
WHERE b.price > 40
UNION ALL
SELECT id, id * 10, name, NULL FROM (VALUES (100, 'extra'), (101, 'more'), (NULL, NULL)) AS x(id, name);
