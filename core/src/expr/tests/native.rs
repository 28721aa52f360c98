//! The native compiler against the generic kernels: random expression trees over random rows
//! (NULLs, zeros, extremes, NaN, -0.0) give the same value, or the same error, both ways.

use proptest::prelude::*;

use crate::types::{DataType, Field, Row, Schema, Value};

use super::super::compile::{CompiledExpr, Compiler};
use super::super::{BindContext, Expr, bind, native};
use super::parse;

const COLUMNS: [(&str, DataType); 8] = [
    ("i", DataType::Int),
    ("j", DataType::Int),
    ("b", DataType::BigInt),
    ("c", DataType::BigInt),
    ("d", DataType::Double),
    ("f", DataType::Boolean),
    ("t", DataType::Timestamp),
    ("s", DataType::String),
];

fn schema() -> Schema {
    Schema::new(COLUMNS.iter().map(|(name, t)| Field::new(*name, *t)).collect())
}

fn int() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(Value::Int(0)),
        Just(Value::Int(i32::MIN)),
        Just(Value::Int(i32::MAX)),
        (-5i32..5).prop_map(Value::Int),
        any::<i32>().prop_map(Value::Int)
    ]
}

fn bigint() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(Value::BigInt(0)),
        Just(Value::BigInt(i64::MIN)),
        Just(Value::BigInt(i64::MAX)),
        (-5i64..5).prop_map(Value::BigInt),
        any::<i64>().prop_map(Value::BigInt)
    ]
}

fn double() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(Value::double(0.0)),
        Just(Value::double(-0.0)),
        Just(Value::double(f64::NAN)),
        Just(Value::double(f64::INFINITY)),
        (-5i32..5).prop_map(|x| Value::double(f64::from(x) / 2.0)),
        any::<f64>().prop_map(Value::double)
    ]
}

fn row() -> impl Strategy<Value = Row> {
    let boolean = prop_oneof![Just(Value::Null), any::<bool>().prop_map(Value::Boolean)];
    let timestamp = prop_oneof![Just(Value::Null), (-3i64..3).prop_map(Value::Timestamp)];
    let string = prop_oneof![Just(Value::Null), Just(Value::string("1")), Just(Value::string("x"))];
    (int(), int(), bigint(), bigint(), double(), boolean, timestamp, string).prop_map(|(i, j, b, c, d, f, t, s)| Row::new(vec![i, j, b, c, d, f, t, s]))
}

fn number_leaf() -> BoxedStrategy<Expr> {
    prop_oneof![
        prop::sample::select(vec!["i", "j", "b", "c", "d"]).prop_map(Expr::col),
        (-3i64..3).prop_map(Expr::lit),
        Just(Expr::lit(3_000_000_000i64)),
        Just(Expr::lit(1.5)),
        Just(Expr::lit(serde_json::Value::Null)),
    ]
    .boxed()
}

/// INT, BIGINT and DOUBLE expressions: native arithmetic and casts, with a few calls that have
/// no native form (ABS, CHAR_LENGTH, a DECIMAL round trip) so that both compilers meet.
fn number(depth: u32) -> BoxedStrategy<Expr> {
    if depth == 0 {
        return number_leaf();
    }
    let inner = || number(depth - 1);
    let casts = vec![DataType::Int, DataType::BigInt, DataType::Double];
    prop_oneof![
        2 => number_leaf(),
        4 => (prop::sample::select(vec!["+", "-", "*", "/", "%"]), inner(), inner()).prop_map(|(op, a, b)| Expr::call(op, vec![a, b])),
        2 => (prop::sample::select(casts), inner()).prop_map(|(t, a)| a.cast(t)),
        1 => inner().prop_map(|a| Expr::call("ABS", vec![a])),
        1 => Just(Expr::call("CHAR_LENGTH", vec![Expr::col("s")])),
        1 => inner().prop_map(|a| a.cast(DataType::Decimal { precision: 12, scale: 2 }).cast(DataType::Double)),
    ]
    .boxed()
}

/// BOOLEAN expressions: comparisons, connectives, NOT and null tests over numbers, booleans,
/// timestamps and strings.
fn boolean(depth: u32) -> BoxedStrategy<Expr> {
    let leaf =
        prop_oneof![Just(Expr::col("f")), Just(Expr::lit(true)), Just(Expr::lit(false)), Just(Expr::lit(serde_json::Value::Null).cast(DataType::Boolean))];
    if depth == 0 {
        return leaf.boxed();
    }
    let inner = || boolean(depth - 1);
    let comparisons = vec!["=", "<>", "<", "<=", ">", ">="];
    prop_oneof![
        1 => leaf,
        4 => (prop::sample::select(comparisons.clone()), number(depth - 1), number(depth - 1)).prop_map(|(op, a, b)| Expr::call(op, vec![a, b])),
        1 => (prop::sample::select(comparisons.clone()), inner(), inner()).prop_map(|(op, a, b)| Expr::call(op, vec![a, b])),
        1 => (prop::sample::select(comparisons.clone()), prop::sample::select(vec!["t", "s"])).prop_map(|(op, c)| Expr::call(op, vec![Expr::col(c), Expr::col(c)])),
        1 => (prop::sample::select(comparisons), text(), text()).prop_map(|(op, a, b)| Expr::call(op, vec![a, b])),
        2 => (prop::sample::select(vec!["BETWEEN", "NOT BETWEEN"]), number(depth - 1), number(depth - 1), number(depth - 1))
            .prop_map(|(op, x, lo, hi)| Expr::call(op, vec![x, lo, hi])),
        3 => (prop::sample::select(vec!["AND", "OR"]), prop::collection::vec(inner(), 2..4)).prop_map(|(op, args)| Expr::call(op, args)),
        1 => inner().prop_map(|a| Expr::call("NOT", vec![a])),
        1 => (prop::sample::select(vec!["IS NULL", "IS NOT NULL"]), number(depth - 1)).prop_map(|(op, a)| Expr::call(op, vec![a])),
        1 => (prop::sample::select(vec!["IS NULL", "IS NOT NULL"]), inner()).prop_map(|(op, a)| Expr::call(op, vec![a])),
        1 => prop::sample::select(vec!["IS NULL", "IS NOT NULL"]).prop_map(|op| Expr::call(op, vec![Expr::col("s")])),
    ]
    .boxed()
}

/// STRING and DECIMAL operands, compared where they lie.
fn text() -> BoxedStrategy<Expr> {
    prop_oneof![
        Just(Expr::col("s")),
        prop::sample::select(vec!["", "1", "x", "y"]).prop_map(Expr::lit),
        Just(Expr::call("UPPER", vec![Expr::col("s")])),
        Just(Expr::col("d").cast(DataType::Decimal { precision: 12, scale: 2 }).cast(DataType::String)),
    ]
    .boxed()
}

fn expr() -> impl Strategy<Value = Expr> {
    prop_oneof![number(4), boolean(4)]
}

/// A value or an error message, comparable.
fn outcome(compiled: &CompiledExpr, row: &Row) -> Result<Value, String> {
    compiled.eval(row).map_err(|e| e.message)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn native_agrees_with_generic(e in expr(), rows in prop::collection::vec(row(), 8)) {
        let bound = bind(&e, &schema(), &BindContext::default()).map_err(|err| TestCaseError::fail(format!("{e:?} does not bind: {err}")))?;
        let (native, generic) = (CompiledExpr::new(&bound), CompiledExpr::generic(&bound));
        for row in &rows {
            prop_assert_eq!(outcome(&native, row), outcome(&generic, row), "{} on {:?}", bound, row);
        }
    }
}

/// The native compiler does take the hot operators (else the property above compares the
/// generic path with itself).
#[test]
fn arithmetic_comparisons_and_connectives_compile_natively() {
    let columns = Schema::new(["auction", "bidder", "price"].iter().map(|n| Field::new(*n, DataType::BigInt)).collect());
    for text in [
        "(AND (> (+ (* $price 3) (% $bidder 7)) 5000) (<> $auction 1000))",
        "(OR (\"IS NULL\" $price) (NOT (< (/ $price 2) (cast DOUBLE $auction))))",
        "(+ (cast INT $price) 1)",
        "(BETWEEN $price 1 (* $auction 2))",
        "(= (cast STRING $price) '7')",
    ] {
        let bound = bind(&parse(text), &columns, &BindContext::default()).expect("the expression binds");
        assert!(native::compile(&bound, Compiler::new(None, true)).is_some(), "{text} compiles natively");
    }
}
