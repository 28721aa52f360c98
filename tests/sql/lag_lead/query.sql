-- lag_lead: LAG and LEAD with offsets and defaults ordered by event time (unique per auction); batch only: Flink rejects LEAD in streaming, and Weir does not run LAG in streaming yet
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT auction, price, ts,
  LAG(price) OVER (PARTITION BY auction ORDER BY ts) AS prev,
  LAG(price, 2, -1) OVER (PARTITION BY auction ORDER BY ts) AS prev2,
  LEAD(bidder) OVER (PARTITION BY auction ORDER BY ts) AS next_bidder,
  LEAD(channel, 1, 'none') OVER (PARTITION BY auction ORDER BY ts) AS next_channel
FROM bids;
