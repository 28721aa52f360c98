-- Flink 2.x's documented cast results (see query.sql); DuckDB rejects most of these casts, so the
-- expected rows are written out.
SELECT * FROM (VALUES
  (1, 44, 300, 3, 'TRUE', '2023-11-14 22:13:20.000', '2023-11-14 22:13:20', DATE '2023-11-14', '-0.0', CAST(NULL AS TIMESTAMP), '2023-01-01 10:00:00', '2023-01-01 10:00:00.5', '2023-01-01 10:00:00.500'),
  (2, 127, -129, -3, 'FALSE', '2023-11-14 22:13:20.123', '2023-11-14 22:13:20', DATE '2023-11-14', '1.0', CAST(NULL AS TIMESTAMP), '2023-01-01 10:00:00', '2023-01-01 10:00:00.5', '2023-01-01 10:00:00.500'),
  (3, 112, 4464, NULL, NULL, '1969-12-31 23:59:59.500', '1969-12-31 23:59:59', DATE '1969-12-31', '-1.0', CAST(NULL AS TIMESTAMP), '2023-01-01 10:00:00', '2023-01-01 10:00:00.5', '2023-01-01 10:00:00.500')
) AS t(id, tiny, small, s_int, b_text, ts_text, ts0_text, day, ceil_text, iso_ts, lit0_text, lit1_text, lit3_text);
