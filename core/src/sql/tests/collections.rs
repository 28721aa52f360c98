//! ARRAY, MAP and TIME values in SQL, evaluated end to end: each expected text is what
//! PyFlink 2.3 printed for `SELECT CAST(expression AS STRING)` (NULL elements as `NULL`; a NULL result shows as `null`, PyFlink's None).

use super::{check_expressions, error};

/// Each `(expression, Flink's CAST(expression AS STRING))`.
fn check(cases: &[(&str, &str)]) {
    check_expressions("CAST({} AS STRING)", cases);
}

#[test]
fn array_functions_as_flink_computes_them() {
    check(&[
        ("ARRAY[1, NULL, 3]", "[1, NULL, 3]"),
        ("ARRAY[ARRAY[1], ARRAY[2, 3]]", "[[1], [2, 3]]"),
        ("ARRAY[1.5, 2]", "[1.5, 2.0]"),
        ("ARRAY[1, 2.5e0]", "[1.0, 2.5]"),
        ("ARRAY[TRUE, FALSE]", "[TRUE, FALSE]"),
        ("ARRAY[1, 2, 3][1]", "1"),
        ("ARRAY[1, 2, 3][4]", "null"),
        ("ARRAY[ARRAY[1], ARRAY[2, 3]][2][1]", "2"),
        ("CARDINALITY(ARRAY[1, 2])", "2"),
        ("ELEMENT(ARRAY[7])", "7"),
        ("ELEMENT(ARRAY[CAST(NULL AS INT)])", "null"),
        ("ARRAY_JOIN(ARRAY['a', CAST(NULL AS STRING), 'c'], ',')", "a,c"),
        ("ARRAY_JOIN(ARRAY['a', CAST(NULL AS STRING), 'c'], ',', 'N')", "a,N,c"),
        ("ARRAY_SLICE(ARRAY[1, 2, 3, 4, 5], 2, 4)", "[2, 3, 4]"),
        ("ARRAY_SLICE(ARRAY[1, 2, 3, 4, 5], -2)", "[4, 5]"),
        ("ARRAY_SLICE(ARRAY[1, 2, 3, 4, 5], 0, -2)", "[1, 2, 3, 4]"),
        ("ARRAY_SLICE(ARRAY[1, 2, 3, 4, 5], 4, 2)", "[]"),
        ("ARRAY_SLICE(ARRAY[1, 2, 3, 4, 5], 4, 10)", "[4, 5]"),
        ("ARRAY_SORT(ARRAY[3, CAST(NULL AS INT), 1])", "[NULL, 1, 3]"),
        ("ARRAY_SORT(ARRAY[3, CAST(NULL AS INT), 1], FALSE)", "[3, 1, NULL]"),
        ("ARRAY_SORT(ARRAY[3, CAST(NULL AS INT), 1], TRUE, FALSE)", "[1, 3, NULL]"),
        ("ARRAY_POSITION(ARRAY[1, 2, 3, 2], 2)", "2"),
        ("ARRAY_POSITION(ARRAY[1, 2, 3, 2], 7)", "0"),
        ("ARRAY_POSITION(ARRAY[1, CAST(NULL AS INT)], CAST(NULL AS INT))", "null"),
        ("ARRAY_REMOVE(ARRAY[1, CAST(NULL AS INT), 2, 1], 1)", "[NULL, 2]"),
        ("ARRAY_REMOVE(ARRAY[1, CAST(NULL AS INT), 2, 1], CAST(NULL AS INT))", "[1, 2, 1]"),
        ("ARRAY_DISTINCT(ARRAY[1, 1, CAST(NULL AS INT), CAST(NULL AS INT), 2])", "[1, NULL, 2]"),
        ("ARRAY_UNION(ARRAY[1, 2, 2], ARRAY[2, 3])", "[1, 2, 3]"),
        ("ARRAY_UNION(ARRAY[1, CAST(NULL AS INT)], ARRAY[CAST(NULL AS INT), 2])", "[1, NULL, 2]"),
        ("ARRAY_INTERSECT(ARRAY[1, 2, 2, 3], ARRAY[2, 3, 3])", "[2, 3]"),
        ("ARRAY_INTERSECT(ARRAY[1, 1, 2, CAST(NULL AS INT)], ARRAY[1, 1, CAST(NULL AS INT)])", "[1, NULL]"),
        ("ARRAY_EXCEPT(ARRAY[1, 2, 2, 3, 1], ARRAY[2, 9])", "[1, 3]"),
        ("ARRAY_EXCEPT(ARRAY[1, CAST(NULL AS INT), CAST(NULL AS INT)], ARRAY[2])", "[1, NULL]"),
        ("ARRAY_MAX(ARRAY[1, CAST(NULL AS INT), 3])", "3"),
        ("ARRAY_MIN(ARRAY[1, CAST(NULL AS INT), 3])", "1"),
        ("ARRAY_MAX(ARRAY[CAST(NULL AS INT)])", "null"),
        ("ARRAY_REVERSE(ARRAY[1, 2, 3])", "[3, 2, 1]"),
        ("ARRAY_APPEND(ARRAY[1], 2)", "[1, 2]"),
        ("ARRAY_PREPEND(ARRAY[1], 0)", "[0, 1]"),
        ("ARRAY_CONCAT(ARRAY[1], ARRAY[2, 3])", "[1, 2, 3]"),
        ("ARRAY_CONCAT(ARRAY[1], CAST(NULL AS ARRAY<INT>))", "null"),
        ("ARRAY_APPEND(CAST(NULL AS ARRAY<INT>), 1)", "null"),
        ("ARRAY_CONTAINS(ARRAY[1, CAST(NULL AS INT)], CAST(NULL AS INT))", "TRUE"),
        ("ARRAY_CONTAINS(ARRAY[1, 2], CAST(NULL AS INT))", "FALSE"),
        ("ARRAY_CONTAINS(ARRAY[1, 2], 3)", "FALSE"),
        ("CAST(ARRAY[1, 2] AS ARRAY<BIGINT>)", "[1, 2]"),
        ("CAST(ARRAY['1', '2'] AS ARRAY<INT>)", "[1, 2]"),
        ("ARRAY[1, 2] = ARRAY[1, 2]", "TRUE"),
        ("SPLIT('a,b,,c', ',')", "[a, b, , c]"),
        ("SPLIT('abc', '')", "[a, b, c]"),
        ("SPLIT(CAST(NULL AS STRING), ',')", "null"),
        ("ARRAY_JOIN(ARRAY['a'], CAST(NULL AS STRING))", "null"),
        ("ARRAY_JOIN(ARRAY['a', CAST(NULL AS STRING)], ',', CAST(NULL AS STRING))", "null"),
        ("ARRAY_CONCAT(ARRAY[1], ARRAY[2.5])", "[1.0, 2.5]"),
        ("ARRAY_SLICE(ARRAY[1, 2, 3], CAST(NULL AS INT))", "null"),
        ("ARRAY_MIN(ARRAY['b', 'a', CAST(NULL AS STRING)])", "a"),
        ("ARRAY_APPEND(ARRAY[1], CAST(NULL AS INT))", "[1, NULL]"),
        ("ARRAY_PREPEND(ARRAY[1], CAST(NULL AS INT))", "[NULL, 1]"),
    ]);
}

#[test]
fn map_functions_as_flink_computes_them() {
    check(&[
        ("MAP['a', 1, 'b', CAST(NULL AS INT)]", "{a=1, b=NULL}"),
        ("MAP[1, 'x']", "{1=x}"),
        ("MAP['a', 1]['a']", "1"),
        ("MAP['a', 1]['q']", "null"),
        ("CARDINALITY(MAP['a', 1])", "1"),
        ("MAP_KEYS(MAP['a', 1, 'b', 2])", "[a, b]"),
        ("MAP_VALUES(MAP['a', 1, 'b', CAST(NULL AS INT)])", "[1, NULL]"),
        ("MAP_FROM_ARRAYS(ARRAY['a', 'b'], ARRAY[1, 2])", "{a=1, b=2}"),
        ("STR_TO_MAP('a=1,b=2')", "{a=1, b=2}"),
        ("STR_TO_MAP('a:1;b:2', ';', ':')", "{a=1, b=2}"),
        ("STR_TO_MAP('a=1,b,c=')", "{a=1, b=NULL, c=}"),
        ("MAP['a', 1] = MAP['a', 1]", "TRUE"),
        ("MAP['a', ARRAY[1]]", "{a=[1]}"),
        ("MAP['a', 1, 'a', 2]", "{a=2}"),
    ]);
}

#[test]
fn time_as_flink_computes_it() {
    check(&[
        ("TIME '12:34:56.123'", "12:34:56.123"),
        ("CAST('12:34:56.789' AS TIME(3))", "12:34:56.789"),
        ("CAST('12:34' AS TIME)", "12:34:00"),
        ("CAST(TIMESTAMP '2024-01-02 03:04:05.678' AS TIME)", "03:04:05"),
        ("CAST(TIMESTAMP '2024-01-02 03:04:05.678' AS TIME(3))", "03:04:05.678"),
        ("CAST(CAST('12:34:56.5' AS TIME(3)) AS STRING)", "12:34:56.5"),
        ("TIME '12:00:00' > TIME '11:59:59'", "TRUE"),
        ("EXTRACT(HOUR FROM TIME '12:34:56')", "12"),
        ("HOUR(TIME '12:34:56')", "12"),
        ("MINUTE(TIME '12:34:56')", "34"),
        ("SECOND(TIME '12:34:56')", "56"),
    ]);
}

#[test]
fn collection_mistakes_are_named() {
    let e = error("SELECT ARRAY[1, 2, 3][0]");
    assert!(e.contains("array element access needs an index starting at 1 but was 0"), "{e}");
    let e = error("SELECT ARRAY[1, 2] < ARRAY[1, 3]");
    assert!(e.contains("cannot order ARRAY<INT> values"), "{e}");
    let e = error("SELECT ARRAY_JOIN(ARRAY[1, 2], ',')");
    assert!(e.contains("function ARRAY_JOIN expects"), "{e}");
    let e = error("SELECT ARRAY[1, 'a']");
    assert!(e.contains("ARRAY elements have no common type"), "{e}");
    let e = error("SELECT MAP['a']");
    assert!(e.contains("MAP[..] needs key-value pairs"), "{e}");
    let e = error("SELECT CAST('[1]' AS ARRAY<INT>)");
    assert!(e.contains("cannot cast STRING to ARRAY<INT>"), "{e}");
    let e = error("SELECT ARRAY_APPEND(ARRAY[1], 2.5)");
    assert!(e.contains("needs a value of the array's element type INT"), "{e}");
    let e = error("SELECT DAYOFMONTH(TIME '12:00:00')");
    assert!(e.contains("only HOUR, MINUTE, SECOND"), "{e}");
}
