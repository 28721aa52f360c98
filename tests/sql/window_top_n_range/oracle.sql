-- Tumbling windows by arithmetic on epoch milliseconds: [floor(ms / 300000) * 300000, + 300000).
SELECT window_start, window_end, auction, price, rn
FROM (
  SELECT make_timestamp(w * 300000 * 1000) AS window_start, make_timestamp((w + 1) * 300000 * 1000) AS window_end, auction, price,
    ROW_NUMBER() OVER (PARTITION BY w ORDER BY price DESC, ts) AS rn
  FROM (SELECT *, floor(epoch_ms(ts) / 300000)::BIGINT AS w FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'auction': 'BIGINT', 'bidder': 'BIGINT', 'price': 'BIGINT', 'channel': 'VARCHAR', 'ts': 'TIMESTAMP'}))
  WHERE price IS NOT NULL
)
WHERE rn > 1 AND rn <= 3;
