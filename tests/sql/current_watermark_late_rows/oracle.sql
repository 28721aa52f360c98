-- Batch mode: no watermark, so CURRENT_WATERMARK(ts) IS NULL holds for every row.
SELECT seq, k, ts_ms
FROM read_csv('input.csv', header=false, columns={'seq': 'INT', 'k': 'INT', 'ts_ms': 'BIGINT'});
