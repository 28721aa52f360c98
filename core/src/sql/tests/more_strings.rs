//! LEFT, RIGHT, TRANSLATE, HEX, UNHEX, URL_ENCODE/URL_DECODE, the REGEXP_* additions, ELT and
//! the random functions in SQL, end to end. Expected texts are what PyFlink 2.3 printed for
//! `SELECT CAST(expression AS STRING)` (`null` for PyFlink's None); random functions are
//! checked by their properties.

use super::{check_expressions, run_rows};

fn check(cases: &[(&str, &str)]) {
    check_expressions("CAST({} AS STRING)", cases);
}

#[test]
fn string_functions_as_flink_computes_them() {
    check(&[
        ("LEFT('hello', 2)", "he"),
        ("LEFT('hello', -1)", ""),
        ("LEFT('hello', 10)", "hello"),
        ("RIGHT('hello', 2)", "lo"),
        ("RIGHT('hello', -1)", ""),
        ("TRANSLATE('abcabc', 'ab', 'x')", "xcxc"),
        ("TRANSLATE('abc', 'ab', 'xyz')", "xyc"),
        ("TRANSLATE(CAST(NULL AS STRING), 'a', 'b')", "null"),
        ("TRANSLATE('abc', CAST(NULL AS STRING), 'b')", "abc"),
        ("TRANSLATE('abc', 'a', CAST(NULL AS STRING))", "bc"),
        ("HEX(100)", "64"),
        ("HEX(-1)", "FFFFFFFFFFFFFFFF"),
        ("HEX('hello world')", "68656C6C6F20776F726C64"),
        ("UNHEX('68656C6C6F')", "hello"),
        ("UNHEX('zz')", "null"),
        ("URL_ENCODE('a b&c=é/~*')", "a+b%26c%3D%C3%A9%2F%7E*"),
        ("URL_DECODE('a+b%26c%3D%C3%A9')", "a b&c=é"),
        ("URL_DECODE('%zz')", "null"),
        ("REGEXP_COUNT('abcabc', 'b')", "2"),
        ("REGEXP_EXTRACT_ALL('a1b22c333', '[0-9]+')", "null"),
        ("REGEXP_EXTRACT_ALL('a1b22', '([a-z])([0-9]+)', 2)", "[1, 22]"),
        ("REGEXP_EXTRACT_ALL('a1b22', '([a-z])([0-9]+)', 0)", "[a1, b22]"),
        ("REGEXP_INSTR('abcabc', 'c')", "3"),
        ("REGEXP_INSTR('abcabc', 'x')", "0"),
        ("REGEXP_SUBSTR('abc123def', '[0-9]+')", "123"),
        ("REGEXP_SUBSTR('abc', '[0-9]+')", "null"),
        ("ELT(2, 'a', 'b', 'c')", "b"),
        ("ELT(4, 'a', 'b', 'c')", "null"),
        ("ELT(0, 'a', 'b')", "null"),
        ("PARSE_URL('http://a.com/p?x=1&y=2#f', 'QUERY', 'y')", "2"),
        ("PARSE_URL('http://a.com/p?x=1&y=2#f', 'HOST')", "a.com"),
        ("PARSE_URL('http://user:pw@a.com:8080/p/q.html?x=1&y=2#frag', 'FILE')", "/p/q.html?x=1&y=2"),
        ("PARSE_URL('http://user:pw@a.com:8080/p/q.html?x=1&y=2#frag', 'AUTHORITY')", "user:pw@a.com:8080"),
        ("PARSE_URL('http://user:pw@a.com:8080/p/q.html?x=1&y=2#frag', 'USERINFO')", "user:pw"),
        ("PARSE_URL('http://user:pw@a.com:8080/p/q.html?x=1&y=2#frag', 'REF')", "frag"),
        ("PARSE_URL('http://user:pw@a.com:8080/p/q.html?x=1&y=2#frag', 'BOGUS')", "null"),
        ("PARSE_URL('http://user:pw@a.com:8080/p/q.html?x=1&y=2#frag', 'QUERY', 'z')", "null"),
        ("PARSE_URL('a.com/p', 'HOST')", "null"),
        ("PARSE_URL('http://a.com', 'PATH')", ""),
        ("PARSE_URL('http://a.com', 'QUERY')", "null"),
    ]);
}

#[test]
fn random_functions_have_flinks_properties() {
    let rows = run_rows(
        "SELECT RAND() >= 0 AND RAND() < 1, RAND(7) = RAND(7), RAND_INTEGER(10) BETWEEN 0 AND 9, RAND_INTEGER(3, 2) BETWEEN 0 AND 1, \
         CHAR_LENGTH(UUID()), SUBSTRING(UUID(), 15, 1), SUBSTRING(UUID(), 20, 1) IN ('8', '9', 'a', 'b'), UUID() <> UUID() \
         FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8)) AS t(x)",
    );
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|r| r == "true, true, true, true, 36, 4, true, true"), "{rows:?}");
}
