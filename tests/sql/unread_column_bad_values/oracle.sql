WITH raw AS (
  SELECT * FROM read_csv('input.csv', header=false, all_varchar=true, columns={'id': 'VARCHAR', 'amount': 'VARCHAR', 'qty': 'VARCHAR', 'ts': 'VARCHAR', 'channel': 'VARCHAR'})
)
SELECT CAST(id AS BIGINT) AS id, SUM(CAST(amount AS BIGINT)) AS total, COUNT(*) AS n
FROM raw
WHERE channel <> 'none'
GROUP BY 1;
