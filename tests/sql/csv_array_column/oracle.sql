WITH raw AS (
  SELECT * FROM read_csv('input.csv', header=false, all_varchar=true, nullstr='NULL', columns={'id': 'VARCHAR', 'tags': 'VARCHAR', 'nums': 'VARCHAR'})
), t AS (
  SELECT CAST(id AS INT) AS id,
    CASE WHEN tags IS NULL OR tags = '' THEN NULL ELSE list_transform(string_split(tags, ';'), lambda x: NULLIF(x, 'NULL')) END AS tags,
    CASE WHEN nums IS NULL OR nums = '' THEN NULL ELSE list_transform(string_split(nums, ';'), lambda x: CAST(NULLIF(x, 'NULL') AS BIGINT)) END AS nums
  FROM raw
)
SELECT id, tags, nums, len(tags) AS n_tags, nums[1] AS first_num FROM t;
