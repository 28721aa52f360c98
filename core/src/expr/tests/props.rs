//! Properties: casts through STRING round-trip, and the BoundExpr/CompiledExpr contract.

use proptest::prelude::*;

use crate::types::{DataType, Decimal, Row, Schema, Value};

use super::super::{BindContext, BoundExpr, CompiledExpr, Expr, bind};
use super::{parse, schema};

/// `CAST(CAST(x AS STRING) AS T)` for a value `x` of type `t`.
fn round_trip(x: Value, t: DataType) -> Value {
    let input = Schema::new(vec![crate::types::Field::new("x", t)]);
    let e = Expr::col("x").cast(DataType::String).cast(t);
    let bound = bind(&e, &input, &BindContext::default()).unwrap();
    assert_eq!(bound.data_type(), t);
    bound.compile().eval(&Row::new(vec![x])).unwrap()
}

proptest! {
    #[test]
    fn ints_round_trip(x in any::<i32>()) {
        prop_assert_eq!(round_trip(Value::Int(x), DataType::Int), Value::Int(x));
    }

    #[test]
    fn bigints_round_trip(x in any::<i64>()) {
        prop_assert_eq!(round_trip(Value::BigInt(x), DataType::BigInt), Value::BigInt(x));
    }

    #[test]
    fn doubles_round_trip(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
        prop_assert_eq!(round_trip(Value::double(x), DataType::Double), Value::double(x));
    }

    #[test]
    fn decimals_round_trip(m in -(10i128.pow(18))..10i128.pow(18), scale in 0u8..=18) {
        let d = Decimal::new(m, scale);
        let t = DataType::Decimal { precision: 38, scale };
        let back = round_trip(Value::Decimal(d), t);
        prop_assert_eq!(&back, &Value::Decimal(d));
        prop_assert_eq!(back.to_string(), d.to_string());
    }

    #[test]
    fn dates_round_trip(days in -700_000i32..2_900_000) {
        prop_assert_eq!(round_trip(Value::Date(days), DataType::Date), Value::Date(days));
    }

    #[test]
    fn timestamps_round_trip(ms in -60_000_000_000_000i64..250_000_000_000_000) {
        prop_assert_eq!(round_trip(Value::Timestamp(ms), DataType::Timestamp), Value::Timestamp(ms));
    }

    /// Whatever the values, evaluation never panics (errors are fine).
    #[test]
    fn arithmetic_never_panics(a in any::<i64>(), b in any::<i64>(), op in prop::sample::select(vec!["+", "-", "*", "/", "%"])) {
        let input = Schema::new(vec![crate::types::Field::new("a", DataType::BigInt), crate::types::Field::new("b", DataType::BigInt)]);
        let as_dec = |c: &str| Expr::col(c).cast(DataType::Decimal { precision: 19, scale: 0 });
        for e in [Expr::call(op, vec![Expr::col("a"), Expr::col("b")]), Expr::call(op, vec![as_dec("a"), as_dec("b")])] {
            let bound = bind(&e, &input, &BindContext::default()).unwrap();
            let _ = bound.compile().eval(&Row::new(vec![Value::BigInt(a), Value::BigInt(b)]));
        }
    }
}

fn bound(src: &str) -> BoundExpr {
    bind(&parse(src), &schema(), &BindContext::default()).unwrap()
}

#[test]
fn bound_expression_api() {
    let e = bound("(+ $i (* $b $i))");
    assert_eq!(e.referenced_columns(), vec![0, 1]);
    assert!(!e.is_constant());
    assert_eq!(e.data_type(), DataType::BigInt);
    assert!(e.nullable());
    assert_eq!(bound("$price").as_column(), Some(14));
    assert!(!bound("$price").nullable());
    assert!(!bound("(+ $price 1)").nullable());
    assert!(bound("(+ 1 2)").is_constant());
    assert!(!bound("(UNIX_TIMESTAMP)").is_constant());
    assert_eq!(bound("(UPPER $s)").to_string(), "UPPER($4)");
    assert_eq!(bound("(cast BIGINT $i)").to_string(), "CAST($0 AS BIGINT)");
    // Implicit conversions.
    assert_eq!(bound("$i").coerce_to(DataType::BigInt).unwrap().data_type(), DataType::BigInt);
    assert_eq!(bound("$s").coerce_to(DataType::Int).unwrap_err().message, "cannot convert STRING to INT implicitly");
    assert_eq!(bound("$s").cast_to(DataType::Int).unwrap().data_type(), DataType::Int);
    assert_eq!(bound("$dt").cast_to(DataType::Int).unwrap_err().message, "cannot cast DATE to INT");
}

#[test]
fn compiled_expressions_are_shareable_and_fold_constants() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<CompiledExpr>();
    assert_traits::<BoundExpr>();
    // A folded constant evaluates without its inputs; 1/0 stays an error per row.
    let c = bound("(UPPER (CONCAT 'a' 'b'))").compile();
    assert_eq!(c.eval(&Row::empty()), Ok(Value::string("AB")));
    assert!(bound("(/ 1 0)").compile().eval(&Row::empty()).is_err());
    let p = bound("(> $i 5)").compile();
    let worker = std::thread::spawn(move || p.eval_predicate(&super::row()));
    assert_eq!(worker.join().unwrap(), Ok(true));
}

#[test]
fn big_decimals_keep_their_digits() {
    let big = "(lit DECIMAL[38,10] '1234567890123456789012345678.0123456789')";
    assert_eq!(super::eval(&format!("(* {big} 1)")), "1234567890123456789012345678.012346");
    assert_eq!(super::eval(&format!("(+ {big} {big})")), "2469135780246913578024691356.024691358");
    assert_eq!(super::eval(&format!("(* {big} {big})")), "null");
    assert_eq!(super::type_of(&format!("(* {big} {big})")), "DECIMAL(38, 6)");
}
