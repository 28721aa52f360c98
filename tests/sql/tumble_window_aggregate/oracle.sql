-- Tumbling windows by arithmetic on epoch milliseconds: [floor(ms / 300000) * 300000, + 300000).
SELECT make_timestamp(w * 300000 * 1000) AS window_start, make_timestamp((w + 1) * 300000 * 1000) AS window_end,
  channel, COUNT(*) AS n, SUM(price) AS s, MAX(price) AS mx
FROM (
  SELECT *, floor(epoch_ms(ts) / 300000)::BIGINT AS w
  FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'})
)
GROUP BY w, channel;
