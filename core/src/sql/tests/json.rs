//! Flink's JSON functions in SQL: the syntax (`RETURNING`, `ON EMPTY`, `WITH ARRAY WRAPPER`,
//! `KEY .. VALUE`, `ABSENT ON NULL`, `IS JSON`) and the results Flink's documentation gives
//! ("System (Built-in) Functions" → JSON Functions), evaluated end to end.

use super::{check_expressions, error};

/// Each `(expression, expected row)`, as `SELECT expression`.
fn check(cases: &[(&str, &str)]) {
    check_expressions("{}", cases);
}

#[test]
fn is_json_as_flink_documents_it() {
    check(&[
        ("'1' IS JSON", "true"),
        ("'[]' IS JSON", "true"),
        ("'{}' IS JSON", "true"),
        ("'\"abc\"' IS JSON", "true"),
        ("'abc' IS JSON", "false"),
        ("CAST(NULL AS STRING) IS JSON", "false"),
        ("'1' IS JSON SCALAR", "true"),
        ("'1' IS JSON OBJECT", "false"),
        ("'{}' IS JSON OBJECT", "true"),
        ("'{}' IS JSON ARRAY", "false"),
        ("'[]' IS JSON ARRAY", "true"),
        ("'{}' IS NOT JSON ARRAY", "true"),
        ("'abc' IS NOT JSON", "true"),
    ]);
}

#[test]
fn json_exists_as_flink_documents_it() {
    check(&[
        ("JSON_EXISTS('{\"a\": true}', '$.a')", "true"),
        ("JSON_EXISTS('{\"a\": true}', '$.b')", "false"),
        ("JSON_EXISTS('{\"a\": [{ \"b\": 1 }]}', '$.a[0].b')", "true"),
        ("JSON_EXISTS('{\"a\": true}', 'strict $.b' TRUE ON ERROR)", "true"),
        ("JSON_EXISTS('{\"a\": true}', 'strict $.b' FALSE ON ERROR)", "false"),
        ("JSON_EXISTS('{\"a\": true}', 'strict $.b' UNKNOWN ON ERROR)", "null"),
        ("JSON_EXISTS('{\"a\": null}', 'lax $.a')", "false"),
        ("JSON_EXISTS(CAST(NULL AS STRING), '$.a')", "null"),
    ]);
}

#[test]
fn json_value_as_flink_documents_it() {
    check(&[
        ("JSON_VALUE('{\"a\": true}', '$.a')", "true"),
        ("JSON_VALUE('{\"a\": true}', '$.a' RETURNING BOOLEAN) AND TRUE", "true"),
        ("JSON_VALUE('{\"a\": true}', 'lax $.b' DEFAULT FALSE ON EMPTY)", "FALSE"),
        ("JSON_VALUE('{\"a\": true}', 'strict $.b' DEFAULT FALSE ON ERROR)", "FALSE"),
        ("JSON_VALUE('{\"a.b\": [0.998,0.996]}', '$.[\"a.b\"][0]' RETURNING DOUBLE)", "0.998"),
        ("JSON_VALUE('{\"contains blank\": \"right\"}', 'strict $.[\"contains blank\"]' NULL ON EMPTY DEFAULT 'wrong' ON ERROR)", "right"),
        ("JSON_VALUE('{\"a\": {\"b\": 1.10}}', '$.a.b')", "1.10"),
        ("JSON_VALUE('{\"a\": {\"b\": 1}}', '$.a')", "null"),
        ("JSON_VALUE('{\"a\": \"12\"}', '$.a' RETURNING INT) + 1", "13"),
        ("JSON_VALUE('{\"a\": \"x\"}', '$.a' RETURNING INT DEFAULT -1 ON ERROR)", "-1"),
        ("JSON_VALUE('{\"a\": 1}', 'lax $.b' RETURNING BIGINT DEFAULT 7 ON EMPTY DEFAULT 8 ON ERROR)", "7"),
        ("JSON_VALUE('{\"a\": 1}', '$.b' RETURNING BIGINT DEFAULT 7 ON EMPTY DEFAULT 8 ON ERROR)", "8"),
        ("JSON_VALUE('not json', 'lax $.a' DEFAULT 'empty' ON EMPTY)", "empty"),
        ("JSON_VALUE(CAST(NULL AS STRING), '$.a')", "null"),
    ]);
}

#[test]
fn json_query_as_flink_documents_it() {
    check(&[
        ("JSON_QUERY('{ \"a\": { \"b\": 1 } }', '$.a')", "{\"b\":1}"),
        ("JSON_QUERY('[1, 2]', '$')", "[1,2]"),
        ("JSON_QUERY(CAST(NULL AS STRING), '$')", "null"),
        ("JSON_QUERY('{\"a\":[{\"c\":\"c1\"},{\"c\":\"c2\"}]}', 'lax $.a[*].c')", "[\"c1\",\"c2\"]"),
        ("JSON_QUERY('{}', '$' WITH CONDITIONAL ARRAY WRAPPER)", "[{}]"),
        ("JSON_QUERY('[1, 2]', '$' WITH CONDITIONAL ARRAY WRAPPER)", "[1,2]"),
        ("JSON_QUERY('[1, 2]', '$' WITH UNCONDITIONAL ARRAY WRAPPER)", "[[1,2]]"),
        ("JSON_QUERY('1', '$')", "null"),
        ("JSON_QUERY('1', '$' WITH CONDITIONAL ARRAY WRAPPER)", "[1]"),
        ("JSON_QUERY('{}', 'lax $.invalid' EMPTY OBJECT ON EMPTY)", "{}"),
        ("JSON_QUERY('{}', 'strict $.invalid' EMPTY ARRAY ON ERROR)", "[]"),
        ("JSON_QUERY('{\"b\": 1, \"a\": [true, null]}', '$' WITHOUT ARRAY WRAPPER)", "{\"a\":[true,null],\"b\":1}"),
    ]);
}

#[test]
fn json_constructors_as_flink_documents_them() {
    check(&[
        ("JSON_STRING(1)", "1"),
        ("JSON_STRING(TRUE)", "true"),
        ("JSON_STRING('Hello, World!')", "\"Hello, World!\""),
        ("JSON_STRING(CAST(NULL AS INT))", "null"),
        ("JSON_OBJECT()", "{}"),
        ("JSON_OBJECT('K1' VALUE 'V1', 'K2' VALUE 'V2')", "{\"K1\":\"V1\",\"K2\":\"V2\"}"),
        ("JSON_OBJECT(KEY 'K2' VALUE 2, KEY 'K1' VALUE 1.50)", "{\"K1\":1.50,\"K2\":2}"),
        ("JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) NULL ON NULL)", "{\"K1\":null}"),
        ("JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) ABSENT ON NULL)", "{}"),
        ("JSON_OBJECT(KEY 'K1' VALUE JSON_OBJECT(KEY 'K2' VALUE 'V'))", "{\"K1\":{\"K2\":\"V\"}}"),
        ("JSON_OBJECT('K1' VALUE JSON_ARRAY(1, 2))", "{\"K1\":[1,2]}"),
        ("JSON_OBJECT('d' VALUE DATE '2023-01-02', 't' VALUE TIMESTAMP '2023-01-02 03:04:05')", "{\"d\":\"2023-01-02\",\"t\":\"2023-01-02T03:04:05\"}"),
        ("JSON_ARRAY()", "[]"),
        ("JSON_ARRAY(1, '2')", "[1,\"2\"]"),
        ("JSON_ARRAY(CAST(NULL AS STRING) NULL ON NULL)", "[null]"),
        ("JSON_ARRAY(CAST(NULL AS STRING) ABSENT ON NULL)", "[]"),
        ("JSON_ARRAY(JSON_ARRAY(1))", "[[1]]"),
    ]);
}

#[test]
fn json_function_mistakes_are_named() {
    for (sql, needle) in [
        ("SELECT JSON_VALUE('{}', '$..a')", "deep scan"),
        ("SELECT JSON_VALUE('{}', '$.a' RETURNING INT DEFAULT 1 ON NOTHING)", "EMPTY or ERROR"),
        ("SELECT JSON_QUERY('{}', '$' WITH ARRAY)", "WRAPPER"),
        ("SELECT JSON_OBJECT('a' 1)", "VALUE"),
        ("SELECT JSON_OBJECT(1 VALUE 1)", "keys are STRING"),
        ("SELECT JSON_EXISTS(1, '$')", "reads JSON text"),
        ("SELECT JSON_STRING(INTERVAL '1' SECOND)", "no JSON form"),
    ] {
        let e = error(sql);
        assert!(e.contains(needle), "{sql}: {e}");
    }
    let e = error("SELECT JSON_VALUE('{}', '$.a' RETURNING INT DEFAULT 1 ON NOTHING)");
    assert!(e.contains("line 1, column 58"), "the parser names the place: {e}");
    // A parser message that starts with a function's name keeps its spelling.
    let e = error("SELECT JSON_QUERY('{}', '$' RETURNING ARRAY<STRING>)");
    assert!(e.contains("JSON_QUERY(.. RETURNING ARRAY<STRING>) is not supported (only STRING)"), "{e}");
}

#[test]
fn json_quote_and_unquote_as_flink_computes_them() {
    check(&[
        ("JSON_QUOTE('Hello, World!')", "\"Hello, World!\""),
        ("JSON_QUOTE('\"Complex\" string with / and \\')", r#""\"Complex\" string with \/ and \\""#),
        ("JSON_QUOTE('café')", r#""caf\u00e9""#),
        ("JSON_QUOTE(CAST(NULL AS STRING))", "null"),
        ("JSON_UNQUOTE('\"Hello, World!\"')", "Hello, World!"),
        ("JSON_UNQUOTE('\"caf\\u00e9 \\\"x\\\" \\/\"')", "café \"x\" /"),
        ("JSON_UNQUOTE('[1, 2, 3]')", "[1, 2, 3]"),
        ("JSON_UNQUOTE('\"not closed')", "\"not closed"),
        ("JSON_UNQUOTE('\"bad \\q escape\"')", "\"bad \\q escape\""),
        ("JSON_UNQUOTE(JSON_QUOTE('a/b \"c\"'))", "a/b \"c\""),
        ("JSON_UNQUOTE(CAST(NULL AS STRING))", "null"),
        ("CURRENT_DATABASE()", "default_database"),
        ("CONVERT_TZ('1970-01-01 00:00:00', 'UTC', 'GMT-08:00')", "1969-12-31 16:00:00"),
        ("CONVERT_TZ('2023-11-14 22:13:20.5', '+08:00', 'UTC')", "2023-11-14 14:13:20"),
        ("CONVERT_TZ('2023-11-14', 'UTC', '+01:00')", "null"),
        ("CONVERT_TZ(CAST(NULL AS STRING), 'UTC', 'UTC')", "null"),
        ("CONVERT_TZ('1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles')", "1969-12-31 16:00:00"),
        ("CONVERT_TZ('2023-07-01 12:00:00', 'Asia/Shanghai', 'America/Los_Angeles')", "2023-06-30 21:00:00"),
    ]);
    let e = error("SELECT CONVERT_TZ('1970-01-01 00:00:00', 'UTC', 'America/Atlantis')");
    assert!(e.contains("CONVERT_TZ: time zone \"America/Atlantis\" is not supported") && e.contains("line 1, column 8"), "{e}");
    let e = error("SELECT JSON_QUOTE(1)");
    assert!(e.contains("function JSON_QUOTE expects (STRING), got (INT)") && e.contains("line 1, column 8"), "{e}");
    let e = error("SELECT CURRENT_DATABASE(1)");
    assert!(e.contains("function CURRENT_DATABASE expects ()"), "{e}");
}
