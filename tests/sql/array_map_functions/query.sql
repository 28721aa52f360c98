-- array_map_functions: ARRAY and MAP constructors, element access and the ARRAY_*/MAP_*
-- functions over columns (NULLs included), checked against DuckDB's list and map functions
-- (1-based like Flink's). Flink's rules that DuckDB spells differently are mapped in
-- oracle.sql: ARRAY_POSITION gives 0 when absent (DuckDB NULL), ARRAY_JOIN skips NULL
-- elements, a[i] out of range (0 or negative too) is NULL, ARRAY_SORT puts NULLs first when ascending.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  id INT,
  s STRING,
  n INT,
  k INT
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT
  id,
  ARRAY[n, id, 7] AS arr,
  ARRAY[n, id, 7][k] AS picked,
  CARDINALITY(ARRAY[s, 'x']) AS card,
  ARRAY_APPEND(ARRAY[id], n) AS appended,
  ARRAY_PREPEND(ARRAY[id], n) AS prepended,
  ARRAY_CONCAT(ARRAY[id, id], ARRAY[n]) AS concatenated,
  ARRAY_CONTAINS(ARRAY[10, 20, 30], n) AS has_n,
  ARRAY_POSITION(ARRAY[1, 20, 3, 20], n) AS pos,
  ARRAY_REVERSE(ARRAY[id, n, 0]) AS reversed,
  ARRAY_SLICE(ARRAY[1, 2, 3, 4, 5], k) AS tail,
  ARRAY_SLICE(ARRAY[1, 2, 3, 4, 5], 2, k) AS middle,
  ARRAY_SORT(ARRAY[n, 5, id]) AS sorted_up,
  ARRAY_SORT(ARRAY[n, 5, id], FALSE) AS sorted_down,
  ARRAY_MAX(ARRAY[n, id, k]) AS biggest,
  ARRAY_MIN(ARRAY[n, id, k]) AS smallest,
  ARRAY_JOIN(ARRAY[s, 'z', s], '-') AS joined,
  MAP['n', n, 'id', id]['n'] AS map_n,
  MAP['n', n]['missing'] AS map_missing,
  MAP_KEYS(MAP['a', id, 'b', n]) AS map_keys,
  MAP_VALUES(MAP['a', id, 'b', n]) AS map_values,
  CARDINALITY(MAP['a', id, 'b', n]) AS map_card,
  MAP_FROM_ARRAYS(ARRAY['a', 'b'], ARRAY[id, n]) AS from_arrays,
  MAP_UNION(MAP['a', id, 'b', 0], MAP['b', n]) AS merged
FROM t;
