-- Flink's results for query.sql, row by row (see the comments there for the rules).
SELECT * FROM (VALUES
  (1, CAST(NULL AS VARCHAR), 'hello world*', 'Hello World', 'hXYo world', 8, 8, TRUE, FALSE,
   TIMESTAMP '2023-02-28 10:15:30.250', 394, 13, 250, 2, 31, 5,
   TIMESTAMP '2023-01-29 00:00:00', TIMESTAMP '2023-02-05 00:00:00'),
  (2, NULL, 'émile zola**', 'éMile Zola', 'éXYe zola', 8, 0, FALSE, FALSE,
   TIMESTAMP '2024-03-29 23:59:59.999', 0, 0, 999, 4, 60, 9,
   TIMESTAMP '2024-02-25 00:00:00', TIMESTAMP '2024-03-03 00:00:00'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL)
) AS t(id, lpad_empty, rpad, initcap, overlay, last_o, second_o, starts_h_or_j, has_dot,
       plus_month, days_to, months_to, ms, isodow, doy, week, week_start, week_end);
