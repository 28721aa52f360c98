SELECT b.auction, b.price, c.label, c.weight * b.price AS weighted
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}) AS b
  JOIN (VALUES ('app', 'mobile', 2), ('web', 'browser', 1.5), ('api', NULL, 3)) AS c(channel, label, weight)
  ON b.channel = c.channel
WHERE b.price > 40
UNION ALL
SELECT id, id * 10, name, NULL FROM (VALUES (100, 'extra'), (101, 'more'), (NULL, NULL)) AS x(id, name);
