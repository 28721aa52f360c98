SELECT COUNT(*) AS kept, COUNT(DISTINCT id) AS distinct_ids
FROM (SELECT id, tag FROM read_csv('input.csv', header=false, columns={'id': 'INTEGER', 'tag': 'VARCHAR'}) LIMIT 3) AS s;
