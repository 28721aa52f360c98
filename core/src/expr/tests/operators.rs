//! Operators: arithmetic, comparison, logic, conditionals, casts, and binding errors.

use super::{check, check_types, eval, eval_in};

#[test]
fn arithmetic_values() {
    check(&[
        ("(+ 1 2)", "3"),
        ("(/ 7 2)", "3"),
        ("(/ -7 2)", "-3"),
        ("(% 7 3)", "1"),
        ("(% -7 3)", "-1"),
        ("(MOD 7 -3)", "1"),
        ("(* $i $b)", "70000000000"),
        ("(- $i 10)", "-3"),
        ("(/ 7 2.0)", "3.5"),
        ("(+ $d 1)", "3.5"),
        ("(/ 1.0 0)", "Infinity"),
        ("(/ $i 0)", "ERR: division by zero"),
        ("(% $i 0)", "ERR: division by zero"),
        ("(/ $m 0)", "ERR: division by zero"),
        ("(+ 2147483647 1)", "-2147483648"),
        ("(* 9223372036854775807 2)", "-2"),
        ("(/ -2147483648 -1)", "-2147483648"),
        ("(+ $m 1)", "13.34"),
        ("(* $m $m)", "152.2756"),
        ("(/ $m 3)", "4.1133333333333"),
        ("(- $m (lit DECIMAL[5,3] '0.005'))", "12.335"),
        ("(% $m 5)", "2.34"),
        ("(* $m 0.5)", "6.17"),
        ("(NEGATE $i)", "-7"),
        ("(NEGATE $m)", "-12.34"),
        ("(NEGATE -2147483648)", "-2147483648"),
        ("(+ $n 1)", "null"),
        ("(+ 1 null)", "null"),
        ("(* $m $n)", "null"),
        ("(+ $t (lit \"INTERVAL DAY TO SECOND\" 1000))", "2023-11-14T22:13:21.123"),
        ("(- $dt (lit \"INTERVAL DAY TO SECOND\" 86400000))", "2023-11-13"),
        ("(+ (lit \"INTERVAL YEAR TO MONTH\" 3) $dt)", "2024-02-14"),
        ("(+ (lit DATE '2023-01-31') (lit \"INTERVAL YEAR TO MONTH\" 1))", "2023-02-28"),
        ("(- $t (lit \"INTERVAL YEAR TO MONTH\" 12))", "2022-11-14T22:13:20.123"),
        ("(+ (lit \"INTERVAL DAY TO SECOND\" 1) (lit \"INTERVAL DAY TO SECOND\" 2))", "+0 00:00:00.003"),
    ]);
}

#[test]
fn arithmetic_types() {
    check_types(&[
        ("(+ 1 2)", "INT"),
        ("(/ $i 2)", "INT"),
        ("(+ $i $b)", "BIGINT"),
        ("(% $b $i)", "INT"),
        ("(% $i $b)", "BIGINT"),
        ("(* $i $d)", "DOUBLE"),
        ("(+ $m $d)", "DOUBLE"),
        ("(+ $m $m)", "DECIMAL(11, 2)"),
        ("(* $m $m)", "DECIMAL(21, 4)"),
        ("(/ $m $m)", "DECIMAL(23, 13)"),
        ("(+ $m $i)", "DECIMAL(13, 2)"),
        ("(% $m $i)", "DECIMAL(10, 2)"),
        ("(NEGATE $m)", "DECIMAL(10, 2)"),
        ("(+ null null)", "INT"),
        ("(+ $t (lit \"INTERVAL DAY TO SECOND\" 1))", "TIMESTAMP(3)"),
        ("(+ $dt (lit \"INTERVAL DAY TO SECOND\" 1))", "DATE"),
        ("(+ $z (lit \"INTERVAL YEAR TO MONTH\" 1))", "TIMESTAMP_LTZ(3)"),
        ("(+ 1 'a')", "BIND[call]: function + expects (NUMERIC, NUMERIC) or (DATE/TIME/TIMESTAMP, INTERVAL), got (INT, STRING)"),
        (
            "(- (lit \"INTERVAL DAY TO SECOND\" 1) $t)",
            "BIND[call]: function - expects (NUMERIC, NUMERIC) or (DATE/TIME/TIMESTAMP, INTERVAL), got (INTERVAL DAY TO SECOND, TIMESTAMP(3))",
        ),
    ]);
}

#[test]
fn comparisons() {
    check(&[
        ("(= 1 1)", "true"),
        ("(<> 1 1)", "false"),
        ("(< $i $b)", "true"),
        ("(>= $d 2.5)", "true"),
        ("(= $m (lit DECIMAL[5,1] '12.3'))", "false"),
        ("(> $m 12)", "true"),
        ("(= $m 12.34)", "true"),
        ("(= $s 'Hello World')", "true"),
        ("(< 'a' 'b')", "true"),
        ("(= $n 1)", "null"),
        ("(= null null)", "null"),
        ("(= $dt '2023-11-14')", "true"),
        ("(> $t '2023-11-14 00:00:00')", "true"),
        ("(= $i '7')", "true"),
        ("(< $dt $t)", "true"),
        ("(= $f true)", "true"),
        ("(\"IS DISTINCT FROM\" $n 1)", "true"),
        ("(\"IS DISTINCT FROM\" $n null)", "false"),
        ("(\"IS NOT DISTINCT FROM\" $n null)", "true"),
        ("(IN 1 1 2)", "true"),
        ("(IN 1 2 3)", "false"),
        ("(IN 1 2 null)", "null"),
        ("(IN 2 2 null)", "true"),
        ("(IN $n 1 2)", "null"),
        ("(\"NOT IN\" 1 2 3)", "true"),
        ("(\"NOT IN\" 1 2 null)", "null"),
        ("(\"NOT IN\" 2 2 null)", "false"),
        ("(IN $i 1 2 3 4 5 6 7 8 9 10 11 12)", "true"),
        ("(IN $m 12.34 1)", "true"),
        ("(IN $i $b $neg)", "false"),
        ("(IN $i $n 7)", "true"),
        ("(IN $s 'x' 'Hello World')", "true"),
        ("(BETWEEN 5 1 10)", "true"),
        ("(BETWEEN 5 10 1)", "false"),
        ("(BETWEEN 5 5 5)", "true"),
        ("(BETWEEN 5 null 10)", "null"),
        ("(BETWEEN 5 null 4)", "false"),
        ("(\"NOT BETWEEN\" 5 1 10)", "false"),
        ("(\"NOT BETWEEN\" 5 null 4)", "true"),
        ("(BETWEEN $dt '2023-01-01' '2023-12-31')", "true"),
    ]);
    check_types(&[
        ("(= $i 's')", "BIND[call.args[1]]: cannot cast \"s\" to INT"),
        ("(= $i $s)", "BIND[call]: function = expects (T, T) for comparable types T, got (INT, STRING)"),
        ("(IN $i 1 'x')", "BIND[call.args[2]]: cannot cast \"x\" to INT"),
    ]);
}

/// Three-valued logic: the full truth tables.
#[test]
fn three_valued_logic() {
    let values = [("true", Some(true)), ("false", Some(false)), ("$nb", None)];
    let show = |v: Option<bool>| v.map_or("null".to_string(), |b| b.to_string());
    for (a, va) in values {
        for (b, vb) in values {
            let and = match (va, vb) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            let or = match (va, vb) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
            assert_eq!(eval(&format!("(AND {a} {b})")), show(and), "{a} AND {b}");
            assert_eq!(eval(&format!("(OR {a} {b})")), show(or), "{a} OR {b}");
        }
        assert_eq!(eval(&format!("(NOT {a})")), show(va.map(|x| !x)), "NOT {a}");
        assert_eq!(eval(&format!("(\"IS TRUE\" {a})")), (va == Some(true)).to_string());
        assert_eq!(eval(&format!("(\"IS FALSE\" {a})")), (va == Some(false)).to_string());
        assert_eq!(eval(&format!("(\"IS NOT TRUE\" {a})")), (va != Some(true)).to_string());
        assert_eq!(eval(&format!("(\"IS NOT FALSE\" {a})")), (va != Some(false)).to_string());
        assert_eq!(eval(&format!("(\"IS NULL\" {a})")), va.is_none().to_string());
        assert_eq!(eval(&format!("(\"IS NOT NULL\" {a})")), va.is_some().to_string());
    }
    check(&[
        // Short-circuit: the division is never evaluated.
        ("(AND false (= (/ 1 $n) 1))", "false"),
        ("(AND false (= (/ 1 0) 1))", "false"),
        ("(OR true (= (/ $i 0) 1))", "true"),
        ("(AND true true false)", "false"),
        ("(\"IS NULL\" $n)", "true"),
        ("(\"IS NULL\" $s)", "false"),
        ("(AND $i true)", "BIND[call]: function AND expects (BOOLEAN, BOOLEAN, ...), got (INT, BOOLEAN)"),
        ("(NOT true false)", "BIND[call]: function NOT expects (BOOLEAN), got (BOOLEAN, BOOLEAN)"),
    ]);
}

#[test]
fn conditionals() {
    check(&[
        ("(case (when (> $i 5) 'big') (else 'small'))", "'big'"),
        ("(case (when (> $i 50) 'big') (else 'small'))", "'small'"),
        ("(case (when (> $i 50) 'big'))", "null"),
        ("(case (when $nb 1) (when true 2))", "2"),
        ("(case_of $i (when 1 'one') (when 7 'seven') (else 'many'))", "'seven'"),
        ("(case_of $n (when 1 'one') (else 'other'))", "'other'"),
        ("(case (when true $i) (else $b))", "7"),
        ("(case (when true $i) (else 2.5))", "7.0"),
        ("(case (when false 1) (else (/ 1 0)))", "ERR: division by zero"),
        ("(case (when true 1) (else (/ 1 0)))", "1"),
        ("(COALESCE $n $ns)", "BIND[call]: function COALESCE expects (T, T, ...), got (INT, STRING)"),
        ("(COALESCE $n 5)", "5"),
        ("(COALESCE $n null $i)", "7"),
        ("(COALESCE null null)", "null"),
        ("(IFNULL $n $b)", "10000000000"),
        ("(NULLIF 1 1)", "null"),
        ("(NULLIF 1 2)", "1"),
        ("(NULLIF $n 2)", "null"),
        ("(IF (> $i 5) 'y' 'n')", "'y'"),
        ("(IF $nb 'y' 'n')", "'n'"),
        ("(IF true $i $m)", "7.00"),
    ]);
    check_types(&[
        ("(case (when true $i) (else $b))", "BIGINT"),
        ("(case (when true $i) (else $m))", "DECIMAL(12, 2)"),
        ("(case (when true 1) (else 's'))", "BIND[case.else]: CASE branches have incompatible types: INT and STRING"),
        ("(case (when true 1) (when false 's'))", "BIND[case.when[1].then]: CASE branches have incompatible types: INT and STRING"),
        ("(case (when 1 1))", "BIND[case.when[0].when]: a CASE condition must be BOOLEAN, got INT"),
        ("(case (when (+ $pricee 1) 1))", "BIND[case.when[0].when.call.args[0].column]: no column \"pricee\"; did you mean \"price\"?"),
        ("(IF true 1 $b)", "BIGINT"),
        ("(COALESCE $n $d)", "DOUBLE"),
    ]);
}

#[test]
fn casts() {
    check(&[
        ("(cast INT '42')", "42"),
        ("(cast INT ' 42 ')", "42"),
        ("(cast INT 'abc')", "ERR: cannot cast \"abc\" to INT"),
        ("(try_cast INT 'abc')", "null"),
        ("(try_cast INT '12')", "12"),
        ("(cast INT $b)", "1410065408"),
        ("(cast INT 3.99)", "3"),
        ("(cast INT -3.99)", "-3"),
        ("(cast BIGINT 1e30)", "9223372036854775807"),
        ("(cast INT $m)", "12"),
        ("(cast DOUBLE $m)", "12.34"),
        ("(cast DECIMAL[5,1] $m)", "12.3"),
        ("(cast DECIMAL[3,1] $b)", "null"),
        ("(cast DECIMAL[10,3] 2.5)", "2.500"),
        ("(cast DECIMAL[10,2] 0.125)", "0.13"),
        ("(cast DECIMAL[10,2] '1.005')", "1.01"),
        ("(cast BOOLEAN 'yes')", "true"),
        ("(cast BOOLEAN 0)", "false"),
        ("(cast INT true)", "1"),
        ("(cast STRING $i)", "'7'"),
        ("(cast STRING $d)", "'2.5'"),
        ("(cast STRING 1e20)", "'1.0E20'"),
        ("(cast STRING $m)", "'12.34'"),
        ("(cast STRING $t)", "'2023-11-14 22:13:20.123'"),
        ("(cast STRING $dt)", "'2023-11-14'"),
        ("(cast STRING $f)", "'TRUE'"),
        ("(cast INT '3.7')", "3"),
        ("(cast INT ' -3.7 ')", "-3"),
        ("(cast BIGINT '.5')", "0"),
        ("(cast INT '1e3')", "ERR: cannot cast \"1e3\" to INT"),
        ("(cast INT '3000000000')", "ERR: cannot cast \"3000000000\" to INT"),
        ("(try_cast TIMESTAMP '2023-11-14T22:13:20')", "null"),
        ("(cast STRING (cast TIMESTAMP '2023-11-14 22:13:20'))", "'2023-11-14 22:13:20.000'"),
        ("(cast STRING (TIMESTAMP_PRECISION $t 0))", "'2023-11-14 22:13:20'"),
        ("(cast STRING (TIMESTAMP_PRECISION $t 1))", "'2023-11-14 22:13:20.1'"),
        ("(cast DATE (cast TIMESTAMP '1969-12-31 23:59:59.500'))", "1969-12-31"),
        ("(CAST_TINYINT 300)", "44"),
        ("(CAST_TINYINT -129)", "127"),
        ("(CAST_SMALLINT 70000)", "4464"),
        ("(CAST_TINYINT 3.9)", "3"),
        ("(CAST_TINYINT '100')", "100"),
        ("(CAST_TINYINT '300')", "ERR: cannot cast \"300\" to TINYINT"),
        ("(TRY_CAST_TINYINT '300')", "null"),
        ("(cast STRING (CEIL -0.5))", "'-0.0'"),
        ("(GREATEST 1 5 3)", "5"),
        ("(LEAST 1 5 3)", "1"),
        ("(GREATEST 1 $n 3)", "null"),
        ("(GREATEST 1 2.5)", "2.5"),
        ("(TRUNCATE 42.327 2)", "42.32"),
        ("(TRUNCATE -42.327 2)", "-42.32"),
        ("(TRUNCATE 1234 -2)", "1200"),
        ("(TRUNCATE $m)", "12"),
        ("(cast STRING $n)", "null"),
        ("(cast DATE $t)", "2023-11-14"),
        ("(cast TIMESTAMP $dt)", "2023-11-14T00:00:00"),
        ("(cast TIMESTAMP '2023-11-14 01:02:03')", "2023-11-14T01:02:03"),
        ("(cast DATE '2023-13-01')", "ERR: cannot cast \"2023-13-01\" to DATE"),
        ("(cast TIMESTAMP_LTZ $t)", "2023-11-14T22:13:20.123"),
        ("(cast STRING (lit \"INTERVAL DAY TO SECOND\" 93784005))", "'+1 02:03:04.005'"),
        ("(cast INT null)", "null"),
    ]);
    // The session zone moves TIMESTAMP <-> TIMESTAMP_LTZ conversions.
    assert_eq!(eval_in("(cast TIMESTAMP $z)", Some("+08:00")), "2023-11-15T06:13:20.123");
    assert_eq!(eval_in("(cast STRING $z)", Some("+08:00")), "'2023-11-15 06:13:20.123'");
    assert_eq!(eval_in("(cast TIMESTAMP_LTZ $t)", Some("+08:00")), "2023-11-14T14:13:20.123");
    assert_eq!(eval_in("(cast TIMESTAMP_LTZ '2023-11-14 08:00:00')", Some("UTC+8")), "2023-11-14T00:00:00");
    assert_eq!(eval_in("(cast TIMESTAMP $z)", Some("Asia/Shanghai")), "2023-11-15T06:13:20.123");
    assert!(eval_in("(cast TIMESTAMP $z)", Some("Mars/Olympus")).contains("\"Mars/Olympus\" is not supported"));
    check_types(&[
        (
            "(cast TIMESTAMP $b)",
            "BIND[cast]: cannot cast BIGINT to TIMESTAMP(3); use TO_TIMESTAMP_LTZ(value, 0) for epoch seconds or TO_TIMESTAMP_LTZ(value, 3) for epoch milliseconds",
        ),
        ("(cast INT $dt)", "BIND[cast]: cannot cast DATE to INT"),
        ("(cast INT $pricee)", "BIND[cast.expr.column]: no column \"pricee\"; did you mean \"price\"?"),
        ("(cast DECIMAL[5,1] $m)", "DECIMAL(5, 1)"),
    ]);
}

#[test]
fn literals_and_binding_errors() {
    check(&[
        ("2147483647", "2147483647"),
        ("(lit DATE '2023-11-14')", "2023-11-14"),
        ("(lit DECIMAL[5,2] 1.5)", "1.50"),
        ("(lit BIGINT '12')", "12"),
        ("(lit BOOLEAN true)", "true"),
        ("(lit DATE null)", "null"),
    ]);
    check_types(&[
        ("2147483647", "INT"),
        ("2147483648", "BIGINT"),
        ("1.5", "DOUBLE"),
        ("'x'", "STRING"),
        ("true", "BOOLEAN"),
        ("null", "NULL"),
        ("(lit DATE 'x')", "BIND[literal.value]: cannot read \"x\" as DATE"),
        ("(lit DATE 5)", "BIND[literal.value]: cannot read 5 as DATE"),
        ("(lit INT true)", "BIND[literal.value]: cannot read true as INT"),
        ("$pricee", "BIND[column]: no column \"pricee\"; did you mean \"price\"?"),
        ("$zzzzzz", "BIND[column]: no column \"zzzzzz\""),
        ("$99", "BIND[column]: no column at position 99 (the input has 16 columns)"),
        ("(+ 1 (UPPER $pricee))", "BIND[call.args[1].call.args[0].column]: no column \"pricee\"; did you mean \"price\"?"),
        ("(FLOR 1)", "BIND[call.function]: unknown function \"FLOR\"; did you mean \"FLOOR\"?"),
        ("(uper $s)", "BIND[call.function]: unknown function \"uper\"; did you mean \"UPPER\"?"),
        ("(XYZZY_FN 1)", "BIND[call.function]: unknown function \"XYZZY_FN\""),
        ("(SUBSTRING 1)", "BIND[call]: function SUBSTRING expects (STRING, INT[, INT]), got (INT)"),
        ("(substring $s 1 2 3)", "BIND[call]: function SUBSTRING expects (STRING, INT[, INT]), got (STRING, INT, INT, INT)"),
    ]);
}
