-- DuckDB's JSON extension: json_extract_string / json_extract give NULL where Flink's strict
-- path errors (NULL ON ERROR), TRY_CAST where JSON_VALUE's RETURNING DOUBLE fails (NULL ON
-- ERROR); json_valid and json_type stand for IS JSON OBJECT.
SELECT id,
  json_extract_string(doc, '$.user') AS who,
  TRY_CAST(json_extract_string(doc, '$.amount') AS DOUBLE) AS amount,
  json_extract_string(doc, '$.tags[0]') AS first_tag,
  CAST(json_extract(doc, '$.tags') AS VARCHAR) AS tags,
  json_extract_string(doc, '$.geo.city') AS city,
  json_exists(doc, '$.geo') AS has_geo
FROM read_csv('input.csv', header=false, quote='"', escape='"', columns={'id': 'INT', 'doc': 'VARCHAR'})
WHERE json_valid(doc) AND json_type(doc) = 'OBJECT';
