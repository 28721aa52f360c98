//! REGEXP, REGEXP_EXTRACT and REGEXP_REPLACE with Flink's semantics, literal and per-row
//! patterns, and bad patterns.

use super::{check, check_types};

#[test]
fn regexp_extract_groups_and_nulls() {
    check(&[
        ("(REGEXP_EXTRACT 'foothebar' 'foo(.*?)(bar)' 2)", "'bar'"),
        ("(REGEXP_EXTRACT 'foothebar' 'foo(.*?)(bar)' 1)", "'the'"),
        ("(REGEXP_EXTRACT 'foothebar' 'foo(.*?)(bar)' 0)", "'foothebar'"),
        // Without a group, Flink returns the whole match (group 0).
        ("(REGEXP_EXTRACT 'foothebar' 'o+t')", "'oot'"),
        ("(REGEXP_EXTRACT 'channel_id=7&x=1' '(&|^)channel_id=([^&]*)' 2)", "'7'"),
        ("(REGEXP_EXTRACT 'a=1&channel_id=abc' '(&|^)channel_id=([^&]*)' 2)", "'abc'"),
        ("(REGEXP_EXTRACT 'nothing here' '(&|^)channel_id=([^&]*)' 2)", "null"),
        // A group that took no part in the match.
        ("(REGEXP_EXTRACT 'ab' 'a(x)?b' 1)", "null"),
        ("(REGEXP_EXTRACT $ns 'a' 0)", "null"),
        ("(REGEXP_EXTRACT $s $ns)", "null"),
        ("(REGEXP_EXTRACT $s 'l+' $n)", "null"),
        ("(REGEXP_EXTRACT 'héllo wörld' 'w(.)r' 1)", "'ö'"),
        // Per-row patterns and groups: compiled when they change; a bad one or a missing
        // group gives NULL, as Flink.
        ("(REGEXP_EXTRACT $s (CONCAT 'W' '(or)') 1)", "'or'"),
        ("(REGEXP_EXTRACT $s (CONCAT '(' 'x') 1)", "null"),
        ("(REGEXP_EXTRACT $s 'W(or)' (+ $i 1))", "null"),
        ("(REGEXP_EXTRACT $s 'W(or)' (NEGATE 1))", "null"),
    ]);
    check_types(&[
        ("(REGEXP_EXTRACT $s 'a(b')", "BIND[call.args[1]]: REGEXP_EXTRACT: bad regular expression 'a(b': unclosed group"),
        ("(REGEXP_EXTRACT $s 'a(b)' 2)", "BIND[call.args[2]]: REGEXP_EXTRACT: group 2 does not exist in 'a(b)', which has 1 group(s)"),
        ("(REGEXP_EXTRACT $s 'a(b)' -1)", "BIND[call.args[2]]: REGEXP_EXTRACT: group -1 does not exist in 'a(b)', which has 1 group(s)"),
        ("(REGEXP_EXTRACT $i 'a')", "BIND[call]: function REGEXP_EXTRACT expects (STRING, pattern STRING[, group INT]), got (INT, STRING)"),
        ("(REGEXP_EXTRACT $s 'a' 1 2)", "BIND[call]: function REGEXP_EXTRACT expects (STRING, pattern STRING[, group INT]), got (STRING, STRING, INT, INT)"),
        ("(REGEXP_EXTRACT $s 'a' 0)", "STRING"),
    ]);
}

#[test]
fn regexp_replace_takes_the_replacement_literally() {
    check(&[
        ("(REGEXP_REPLACE 'foobar' 'oo|ar' '')", "'fb'"),
        ("(REGEXP_REPLACE 'a1b22c333' '[0-9]+' '#')", "'a#b#c#'"),
        ("(REGEXP_REPLACE 'ab' '(a)' '$1$1')", "'$1$1b'"),
        ("(REGEXP_REPLACE 'abc' 'x' 'y')", "'abc'"),
        ("(REGEXP_REPLACE $ns 'x' 'y')", "null"),
        ("(REGEXP_REPLACE 'abc' 'b' $ns)", "null"),
        ("(REGEXP_REPLACE 'abc' (CONCAT '[' 'b') 'y')", "null"),
    ]);
    check_types(&[("(REGEXP_REPLACE $s '[' 'x')", "BIND[call.args[1]]: REGEXP_REPLACE: bad regular expression '[': unclosed character class")]);
}

#[test]
fn regexp_tests_for_a_match_anywhere() {
    check(&[
        ("(REGEXP $s 'o W')", "true"),
        ("(REGEXP $s '^World')", "false"),
        ("(REGEXP $s '^H.*d$')", "true"),
        ("(REGEXP $s '')", "false"),
        ("(REGEXP $ns 'a')", "null"),
        ("(REGEXP $s (CONCAT '(' 'x'))", "false"),
    ]);
    check_types(&[("(REGEXP $s '*')", "BIND[call.args[1]]: REGEXP: bad regular expression '*': repetition operator missing expression")]);
}
