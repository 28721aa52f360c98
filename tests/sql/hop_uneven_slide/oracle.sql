-- HOP by Flink's definition: windows [30 s + k * 2 min, + 5 min) for every integer k; a row
-- belongs to each window whose span holds it. Candidate k around the row, kept by the span test.
WITH bids AS (
  SELECT *, epoch_ms(ts) AS ms
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
), assigned AS (
  SELECT bids.*, (floor((ms - 30000) / 120000)::BIGINT - d) * 120000 + 30000 AS start_ms
  FROM bids, range(0, 4) AS r(d)
)
SELECT make_timestamp(start_ms * 1000) AS window_start, make_timestamp((start_ms + 300000) * 1000) AS window_end,
  channel, COUNT(*) AS n, SUM(price) AS s, MAX(price) AS mx
FROM assigned
WHERE start_ms <= ms AND ms < start_ms + 300000
GROUP BY start_ms, channel;
