-- float_text: a FLOAT as text (CAST to STRING; the print sink and JSON output write the same
-- digits) is Java's Float.toString, which Flink uses: the shortest digits that read back as the
-- same 32-bit float (86.399994, not the 86.39999389648438 of the DOUBLE it widens to), plain
-- for magnitudes in [1.0E-3, 1.0E7) and computerized scientific notation otherwise, always with
-- a digit after the point; when one digit would do, the closer of two digits (Float.MIN_VALUE
-- is 1.4E-45, not 1.0E-45). That is the rule of Java 19 and later (JDK-4511638); Java 17 and
-- earlier print one digit too many for some floats (1.23456794E8 for 123456789). Expected
-- text written out from that rule (oracle.sql).
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE t (
  id INT,
  f FLOAT
) WITH ('connector' = 'filesystem', 'path' = 'input.csv', 'format' = 'csv');

SELECT id, CAST(f AS STRING) AS f_text, CAST(f * 3 AS STRING) AS thrice_text
FROM t;
