//! FLOAT: Flink's 32-bit float. Expected values are Java's `float` arithmetic and
//! `Float.toString` (`2.7f / 3` is `0.90000004`; `(double) 2.7f` is `2.700000047683716`).

use super::{check, check_types};

#[test]
fn float_typing_follows_calcite() {
    check_types(&[
        ("$r", "FLOAT"),
        ("(+ $r 1)", "FLOAT"),
        ("(* $r $b)", "FLOAT"),
        ("(/ $r $r)", "FLOAT"),
        ("(% $r 2)", "FLOAT"),
        ("(+ $r $d)", "DOUBLE"),
        ("(* $r $m)", "DOUBLE"),
        ("(+ $r 1.5)", "DOUBLE"),
        ("(NEGATE $r)", "FLOAT"),
        ("(ABS $r)", "FLOAT"),
        ("(ROUND $r 1)", "FLOAT"),
        ("(CEIL $r)", "FLOAT"),
        ("(SQRT $r)", "DOUBLE"),
        ("(POWER $r 2)", "DOUBLE"),
        ("(cast FLOAT $i)", "FLOAT"),
        ("(cast REAL $s)", "FLOAT"),
    ]);
}

#[test]
fn float_values_are_java_floats() {
    check(&[
        ("$r", "2.7"),
        ("(+ $r 1)", "3.7"),
        ("(/ $r 3)", "0.90000004"),
        ("(* $r $r)", "7.2900004"),
        ("(- $r (* $r $r))", "-4.59"),
        ("(% $r 2)", "0.70000005"),
        ("(/ $r 0)", "Infinity"),
        ("(+ $r $d)", "5.200000047683716"),
        ("(* $r $m)", "33.31800058841705"),
        ("(NEGATE $r)", "-2.7"),
        ("(ROUND $r 0)", "3.0"),
        ("(ROUND (lit FLOAT '2.25') 1)", "2.3"),
        ("(FLOOR $r)", "2.0"),
        ("(SQRT (lit FLOAT '2.25'))", "1.5"),
        ("(= $r 2.7)", "false"),
        ("(= $r (cast FLOAT 2.7))", "true"),
        ("(> $r 2)", "true"),
        ("(lit FLOAT '1e-5')", "1.0E-5"),
        ("(lit FLOAT '86.399994')", "86.399994"),
    ]);
}

#[test]
fn float_casts_follow_flink() {
    check(&[
        ("(cast DOUBLE $r)", "2.700000047683716"),
        ("(cast INT $r)", "2"),
        ("(cast BIGINT (NEGATE $r))", "-2"),
        ("(cast INT (lit FLOAT '3e10'))", "2147483647"),
        ("(cast INT (/ (lit FLOAT '0') 0))", "0"),
        ("(cast DECIMAL[10,2] $r)", "2.70"),
        ("(cast DECIMAL[10,7] $r)", "2.7000000"),
        ("(cast DECIMAL[3,2] (lit FLOAT '12.5'))", "null"),
        ("(cast FLOAT $d)", "2.5"),
        ("(cast FLOAT $m)", "12.34"),
        ("(cast FLOAT 16777217)", "1.6777216E7"),
        ("(cast FLOAT 0.1)", "0.1"),
        ("(cast FLOAT (lit DOUBLE '1e300'))", "Infinity"),
        ("(cast FLOAT '1.5')", "1.5"),
        ("(cast FLOAT ' 2.5 ')", "2.5"),
        ("(cast FLOAT 'abc')", "ERR: cannot cast \"abc\" to FLOAT"),
        ("(cast STRING $r)", "'2.7'"),
        ("(cast STRING (lit FLOAT '123456789'))", "'1.2345679E8'"),
        ("(cast BOOLEAN $r)", "true"),
        ("(cast FLOAT true)", "1.0"),
    ]);
}
