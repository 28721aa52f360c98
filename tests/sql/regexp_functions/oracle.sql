-- DuckDB's regexp_extract gives '' when nothing matches; Flink gives NULL.
SELECT
  id,
  CASE WHEN regexp_matches(url, '(&|^)channel_id=([^&]*)') THEN regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id,
  CASE WHEN regexp_matches(url, '[0-9]+') THEN regexp_extract(url, '[0-9]+') END AS first_number,
  CASE WHEN regexp_matches(url, '([a-z]+)-([0-9]{4})-([0-9]{2})') THEN regexp_extract(url, '([a-z]+)-([0-9]{4})-([0-9]{2})', 3) END AS month,
  regexp_replace(url, '[0-9]+', '#', 'g') AS masked,
  regexp_matches(url, '^https?://') AS is_http,
  regexp_matches(lower(channel), 'a(pp|pi)') AS app_or_api
FROM read_csv('input.csv', header=false, nullstr='NULL', columns={'id': 'BIGINT', 'url': 'VARCHAR', 'channel': 'VARCHAR'})
WHERE regexp_matches(url, 'channel|query|order') OR id > 6;
