//! Named functions: strings, LIKE, math, date and time.

use super::{check, check_types, eval, eval_in};

#[test]
fn string_functions() {
    check(&[
        ("(UPPER $s)", "'HELLO WORLD'"),
        ("(lower $s)", "'hello world'"),
        ("(UPPER $ns)", "null"),
        ("(CHAR_LENGTH 'héllo')", "5"),
        ("(CHARACTER_LENGTH $e)", "0"),
        ("(SUBSTRING $s 1 5)", "'Hello'"),
        ("(SUBSTRING $s 7)", "'World'"),
        ("(SUBSTRING $s 0 3)", "'Hel'"),
        ("(SUBSTRING $s -5)", "'World'"),
        ("(SUBSTRING $s -5 2)", "'Wo'"),
        ("(SUBSTRING $s -50 2)", "''"),
        ("(SUBSTRING $s 50)", "''"),
        ("(SUBSTRING $s 2 -1)", "null"),
        ("(SUBSTRING $s 3 100)", "'llo World'"),
        ("(SUBSTRING 'héllo' 2 2)", "'él'"),
        ("(SUBSTRING $s $n)", "null"),
        ("(CONCAT 'a' 'b' 'c')", "'abc'"),
        ("(CONCAT 'a' $ns)", "null"),
        ("(|| $s '!')", "'Hello World!'"),
        ("(CONCAT_WS '-' 'a' $ns 'b')", "'a-b'"),
        ("(CONCAT_WS $ns 'a' 'b')", "null"),
        ("(TRIM '  x  ')", "'x'"),
        ("(LTRIM '  x  ')", "'x  '"),
        ("(RTRIM '  x  ')", "'  x'"),
        ("(TRIM 'xxaxx' 'x')", "'a'"),
        ("(TRIM 'LEADING' 'x' 'xxaxx')", "'axx'"),
        ("(TRIM 'TRAILING' 'x' 'xxaxx')", "'xxa'"),
        ("(TRIM 'BOTH' 'xy' 'xyaxy')", "'a'"),
        ("(REPLACE $s 'o' '0')", "'Hell0 W0rld'"),
        ("(REPLACE 'ab' '' '-')", "'-a-b-'"),
        ("(SPLIT_INDEX 'a,b,c' ',' 1)", "'b'"),
        ("(SPLIT_INDEX 'a,b,c' ',' 3)", "null"),
        ("(SPLIT_INDEX 'a,b,c' ',' -1)", "null"),
        ("(SPLIT_INDEX 'a,,c' ',' 1)", "''"),
        ("(SPLIT_INDEX 'a::b' '::' 1)", "'b'"),
        ("(SPLIT_INDEX '' ',' 0)", "null"),
        ("(POSITION 'World' $s)", "7"),
        ("(POSITION 'x' $s)", "0"),
        ("(POSITION 'l' 'héllo')", "3"),
        ("(LOCATE 'o' $s)", "5"),
        ("(LOCATE 'o' $s 6)", "8"),
        ("(REVERSE 'abc')", "'cba'"),
        ("(REPEAT 'ab' 3)", "'ababab'"),
        ("(REPEAT 'ab' -1)", "''"),
        ("(LPAD 'hi' 5 'xy')", "'xyxhi'"),
        ("(RPAD 'hi' 5 'x')", "'hixxx'"),
        ("(LPAD 'hello' 2 'x')", "'he'"),
        ("(INITCAP 'hello wORLD')", "'Hello World'"),
    ]);
    check_types(&[
        ("(CHAR_LENGTH $s)", "INT"),
        ("(UPPER 1)", "BIND[call]: function UPPER expects (STRING), got (INT)"),
        ("(UPPER null)", "STRING"),
        ("(CONCAT $s $i)", "BIND[call]: function CONCAT expects (STRING, STRING, ...), got (STRING, INT)"),
    ]);
}

#[test]
fn like_operator() {
    check(&[
        ("(LIKE $s 'Hello%')", "true"),
        ("(LIKE $s '%World')", "true"),
        ("(LIKE $s '%o W%')", "true"),
        ("(LIKE $s 'hello%')", "false"),
        ("(LIKE $s 'H_llo World')", "true"),
        ("(LIKE $s '_')", "false"),
        ("(LIKE $e '')", "true"),
        ("(LIKE $e '%')", "true"),
        ("(LIKE $ns '%')", "null"),
        ("(LIKE $s $ns)", "null"),
        ("(\"NOT LIKE\" $s 'Hello%')", "false"),
        ("(\"NOT LIKE\" $ns 'Hello%')", "null"),
        ("(LIKE '10%' '10!%' '!')", "true"),
        ("(LIKE '100' '10!%' '!')", "false"),
        ("(LIKE 'a_c' 'a\\_c' '\\')", "true"),
        ("(LIKE 'abc' 'a\\_c' '\\')", "false"),
        ("(LIKE $s (CONCAT 'Hel' '%'))", "true"),
        ("(LIKE $s (CONCAT $s '%'))", "true"),
        ("(ILIKE $s 'hello%')", "true"),
        ("(\"NOT ILIKE\" $s 'HELLO%')", "false"),
    ]);
    check_types(&[
        ("(LIKE $s 'a!' '!')", "BIND[call.args[1]]: invalid escape sequence in LIKE pattern \"a!\""),
        ("(LIKE $s 'a' '!!')", "BIND[call.args[2]]: the LIKE escape must be a single character, got \"!!\""),
        ("(LIKE $i 'a')", "BIND[call]: function LIKE expects (STRING, STRING[, escape STRING]), got (INT, STRING)"),
    ]);
}

#[test]
fn math_functions() {
    check(&[
        ("(ABS $neg)", "7"),
        ("(ABS -2.5)", "2.5"),
        ("(ABS (NEGATE $m))", "12.34"),
        ("(ABS -2147483648)", "-2147483648"),
        ("(ABS $n)", "null"),
        ("(SIGN $neg)", "-1"),
        ("(ROUND 2.5)", "3.0"),
        ("(ROUND -2.5)", "-3.0"),
        ("(ROUND 2.675 2)", "2.68"),
        ("(ROUND 1.005 2)", "1.01"),
        ("(ROUND 1234.5678 -2)", "1200.0"),
        ("(ROUND $m 1)", "12.3"),
        ("(ROUND (lit DECIMAL[10,2] '12.35') 1)", "12.4"),
        ("(ROUND (lit DECIMAL[10,2] '-12.35') 1)", "-12.4"),
        ("(ROUND $m)", "12"),
        ("(ROUND $m -1)", "10"),
        ("(ROUND 1250 -2)", "1300"),
        ("(ROUND -1250 -2)", "-1300"),
        ("(ROUND 1249 -2)", "1200"),
        ("(ROUND $i $n)", "null"),
        ("(FLOOR 2.7)", "2.0"),
        ("(FLOOR -2.5)", "-3.0"),
        ("(CEIL 2.1)", "3.0"),
        ("(CEILING (NEGATE $m))", "-12"),
        ("(FLOOR $m)", "12"),
        ("(FLOOR $i)", "7"),
        ("(POWER 2 10)", "1024.0"),
        ("(POWER $m 0)", "1.0"),
        ("(SQRT 16)", "4.0"),
        ("(SQRT -1)", "NaN"),
        ("(LN 1)", "0.0"),
        ("(LN 0)", "-Infinity"),
        ("(LOG10 1000)", "3.0"),
        ("(LOG2 8)", "3.0"),
        ("(LOG 2 8)", "3.0"),
        ("(EXP 0)", "1.0"),
        ("(MOD $b 7)", "4"),
    ]);
    check_types(&[
        ("(ROUND $m 1)", "DECIMAL(10, 1)"),
        ("(ROUND $m)", "DECIMAL(9, 0)"),
        ("(ROUND $m -1)", "DECIMAL(9, 0)"),
        ("(ROUND $m 5)", "DECIMAL(10, 2)"),
        ("(ROUND $i 1)", "INT"),
        ("(ROUND $d)", "DOUBLE"),
        ("(ROUND $m $i)", "BIND[call.args[1]]: ROUND of a DECIMAL needs a literal number of digits"),
        ("(FLOOR $m)", "DECIMAL(9, 0)"),
        ("(CEIL $b)", "BIGINT"),
        ("(POWER $i 2)", "DOUBLE"),
        ("(SQRT $s)", "BIND[call]: function SQRT expects (NUMERIC), got (STRING)"),
    ]);
}

#[test]
fn time_functions() {
    check(&[
        ("(TO_TIMESTAMP_LTZ 1700000000 0)", "2023-11-14T22:13:20"),
        ("(TO_TIMESTAMP_LTZ 1700000000123 3)", "2023-11-14T22:13:20.123"),
        ("(TO_TIMESTAMP_LTZ 1700000000.5 0)", "2023-11-14T22:13:20.500"),
        ("(TO_TIMESTAMP_LTZ $n 3)", "null"),
        ("(TO_TIMESTAMP '2023-11-14 22:13:20')", "2023-11-14T22:13:20"),
        ("(TO_TIMESTAMP '2023-11-14 22:13:20.5')", "2023-11-14T22:13:20.500"),
        ("(TO_TIMESTAMP '20231114' 'yyyyMMdd')", "2023-11-14T00:00:00"),
        ("(TO_TIMESTAMP '14/11/2023 08:05' 'dd/MM/yyyy HH:mm')", "2023-11-14T08:05:00"),
        ("(TO_TIMESTAMP 'garbage')", "null"),
        ("(TO_DATE '2023-11-14')", "2023-11-14"),
        ("(DATE_FORMAT $t 'yyyy-MM-dd HH:mm:ss')", "'2023-11-14 22:13:20'"),
        ("(DATE_FORMAT $t 'yyyyMMdd')", "'20231114'"),
        ("(DATE_FORMAT $t 'HH:mm')", "'22:13'"),
        ("(DATE_FORMAT $t 'HH:mm:ss.SSS')", "'22:13:20.123'"),
        ("(DATE_FORMAT $dt 'yyyy/MM/dd')", "'2023/11/14'"),
        ("(DATE_FORMAT '2023-11-14 22:13:20' 'MMM d, yyyy')", "'Nov 14, 2023'"),
        ("(DATE_FORMAT 'nope' 'yyyy')", "null"),
        ("(DATE_FORMAT $t (CONCAT 'yyyy' '-MM'))", "'2023-11'"),
        ("(DATE_FORMAT $t $ns)", "null"),
        ("(EXTRACT 'YEAR' $t)", "2023"),
        ("(EXTRACT 'QUARTER' $t)", "4"),
        ("(EXTRACT 'MONTH' $dt)", "11"),
        ("(EXTRACT 'WEEK' $dt)", "46"),
        ("(EXTRACT 'DAY' $t)", "14"),
        ("(EXTRACT 'DAYOFWEEK' $dt)", "3"),
        ("(EXTRACT 'DAYOFYEAR' $dt)", "318"),
        ("(EXTRACT 'HOUR' $t)", "22"),
        ("(EXTRACT 'MINUTE' $t)", "13"),
        ("(EXTRACT 'SECOND' $t)", "20"),
        ("(EXTRACT 'MILLISECOND' $t)", "20123"),
        ("(EXTRACT 'HOUR' $dt)", "0"),
        ("(YEAR $dt)", "2023"),
        ("(MONTH $t)", "11"),
        ("(DAYOFMONTH $t)", "14"),
        ("(HOUR $z)", "22"),
        ("(MINUTE $t)", "13"),
        ("(SECOND $t)", "20"),
        ("(YEAR $n)", "BIND[call]: function YEAR expects (DATE|TIMESTAMP|TIMESTAMP_LTZ), got (INT)"),
        ("(UNIX_TIMESTAMP '2023-11-14 22:13:20')", "1700000000"),
        ("(UNIX_TIMESTAMP '2023/11/14' 'yyyy/MM/dd')", "1699920000"),
        ("(UNIX_TIMESTAMP 'bad')", "null"),
        ("(FROM_UNIXTIME 1700000000)", "'2023-11-14 22:13:20'"),
        ("(FROM_UNIXTIME 0 'yyyy')", "'1970'"),
        ("(FLOOR $t 'HOUR')", "2023-11-14T22:00:00"),
        ("(CEIL $t 'MINUTE')", "2023-11-14T22:14:00"),
        ("(FLOOR $t 'MONTH')", "2023-11-01T00:00:00"),
        ("(CEIL $dt 'YEAR')", "2024-01-01"),
        ("(FLOOR $t 'QUARTER')", "2023-10-01T00:00:00"),
    ]);
    // The session zone: LTZ values are read and rendered in it.
    assert_eq!(eval_in("(HOUR $z)", Some("+08:00")), "6");
    assert_eq!(eval_in("(DATE_FORMAT $z 'yyyy-MM-dd HH:mm XXX')", Some("+08:00")), "'2023-11-15 06:13 +08:00'");
    assert_eq!(eval_in("(UNIX_TIMESTAMP '2023-11-15 06:13:20')", Some("+08:00")), "1700000000");
    assert_eq!(eval_in("(FROM_UNIXTIME 1700000000)", Some("-05:00")), "'2023-11-14 17:13:20'");
    assert_eq!(eval_in("(FLOOR $z 'DAY')", Some("+08:00")), "2023-11-14T16:00:00");
    assert!(eval_in("(HOUR $z)", Some("Europe/Paris")).contains("\"Europe/Paris\" is not supported"));
    // Only functions that need the zone complain about it.
    assert_eq!(eval_in("(HOUR $t)", Some("Europe/Paris")), "22");
    check_types(&[
        ("(TO_TIMESTAMP_LTZ $b 3)", "TIMESTAMP_LTZ(3)"),
        ("(TO_TIMESTAMP_LTZ $b 6)", "BIND[call.args[1]]: the precision of TO_TIMESTAMP_LTZ must be the literal 0 (seconds) or 3 (milliseconds)"),
        ("(TO_TIMESTAMP $s)", "TIMESTAMP(3)"),
        ("(EXTRACT 'YEAR' $t)", "BIGINT"),
        (
            "(EXTRACT 'FORTNIGHT' $t)",
            "BIND[call.args[0]]: unknown EXTRACT unit \"FORTNIGHT\"; use YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFWEEK, DAYOFYEAR, HOUR, MINUTE, SECOND or MILLISECOND",
        ),
        ("(DATE_FORMAT $t 'yyyy-QQ')", "BIND[call.args[1]]: unsupported letter 'Q' in date format \"yyyy-QQ\""),
        ("(UNIX_TIMESTAMP)", "BIGINT"),
        ("(NOW)", "TIMESTAMP_LTZ(3)"),
        ("(CURRENT_DATE)", "DATE"),
    ]);
    // Non-deterministic functions are not folded and read the clock.
    let now: i64 = eval("(UNIX_TIMESTAMP)").parse().unwrap();
    assert!(now > 1_700_000_000);
}
