-- csv_array_column: ARRAY columns in the CSV format, as Flink's CSV format holds them: the
-- elements joined by `csv.array-element-delimiter` (`;` by default). Each element reads as a
-- field of its type would (the null literal is a NULL element, an empty STRING element is
-- ''); an empty field or the null literal is a NULL array. The oracle splits the raw text.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  id INT,
  tags ARRAY<STRING>,
  nums ARRAY<BIGINT>
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT id, tags, nums, CARDINALITY(tags) AS n_tags, nums[1] AS first_num
FROM t;
