-- json_functions: JSON_VALUE (with RETURNING), JSON_QUERY and JSON_EXISTS over JSON text read
-- from a file, filtered by IS JSON OBJECT (paths without a mode are strict, as in Flink: a
-- missing member is an error, NULL ON ERROR by default)
CREATE TABLE events (
  id INT,
  doc STRING
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');

SELECT id,
  JSON_VALUE(doc, '$.user') AS who,
  JSON_VALUE(doc, '$.amount' RETURNING DOUBLE) AS amount,
  JSON_VALUE(doc, '$.tags[0]') AS first_tag,
  JSON_QUERY(doc, '$.tags') AS tags,
  JSON_VALUE(doc, '$.geo.city') AS city,
  JSON_EXISTS(doc, '$.geo') AS has_geo
FROM events
WHERE doc IS JSON OBJECT;
