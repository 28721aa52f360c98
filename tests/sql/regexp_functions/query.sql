-- regexp_functions: REGEXP, REGEXP_EXTRACT (with and without a group) and REGEXP_REPLACE.
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE clicks (
  id BIGINT,
  url STRING,
  channel STRING
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv', 'csv.null-literal' = 'NULL');

SELECT
  id,
  REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) AS channel_id,
  REGEXP_EXTRACT(url, '[0-9]+') AS first_number,
  REGEXP_EXTRACT(url, '([a-z]+)-([0-9]{4})-([0-9]{2})', 3) AS month,
  REGEXP_REPLACE(url, '[0-9]+', '#') AS masked,
  REGEXP(url, '^https?://') AS is_http,
  REGEXP(LOWER(channel), 'a(pp|pi)') AS app_or_api
FROM clicks
WHERE REGEXP(url, 'channel|query|order') OR id > 6;
