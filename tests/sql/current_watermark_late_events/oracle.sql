-- Batch mode: no watermark, so `ts <= CURRENT_WATERMARK(ts)` is NULL and no row passes.
SELECT seq, ts, ts AS wm
FROM read_csv('input.csv', header=false, columns={'seq': 'INT', 'k': 'INT', 'ts': 'TIMESTAMP'})
WHERE false;
