//! The native compiler against the generic kernels: random expression trees over random rows
//! (NULLs, zeros, extremes, NaN, -0.0, DECIMALs next to their type's limit) give the same
//! value (DECIMALs at the same scale), or the same error, both ways.

use proptest::prelude::*;

use crate::types::{DataType, Decimal, Field, Row, Schema, Value};

use super::super::compile::{CompiledExpr, Compiler};
use super::super::functions::arithmetic::fits_precision;
use super::super::{BindContext, Case, Expr, WhenThen, bind, native};
use super::parse;

/// DECIMAL(10, 2): a column whose sums and products stay well inside 38 digits.
const MONEY: DataType = DataType::Decimal { precision: 10, scale: 2 };
/// DECIMAL(38, 6): a column at the limit, where sums and products overflow.
const WIDE: DataType = DataType::Decimal { precision: 38, scale: 6 };

const COLUMNS: [(&str, DataType); 10] = [
    ("i", DataType::Int),
    ("j", DataType::Int),
    ("b", DataType::BigInt),
    ("c", DataType::BigInt),
    ("d", DataType::Double),
    ("f", DataType::Boolean),
    ("t", DataType::Timestamp),
    ("s", DataType::String),
    ("m", MONEY),
    ("n", WIDE),
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

/// A DECIMAL with `scale` digits whose mantissa is below `limit` in magnitude: NULL, zero,
/// the limits, small values, anything in range.
fn decimal(scale: u8, limit: i128) -> impl Strategy<Value = Value> {
    let d = move |m: i128| Value::Decimal(Decimal::new(m, scale));
    prop_oneof![Just(Value::Null), Just(d(0)), Just(d(limit - 1)), Just(d(1 - limit)), (-500i128..500).prop_map(d), (1 - limit..limit).prop_map(d),]
}

fn row() -> impl Strategy<Value = Row> {
    let boolean = prop_oneof![Just(Value::Null), any::<bool>().prop_map(Value::Boolean)];
    let timestamp = prop_oneof![Just(Value::Null), (-3i64..3).prop_map(Value::Timestamp)];
    let string = prop_oneof![Just(Value::Null), Just(Value::string("1")), Just(Value::string("x")), Just(Value::string("Xy"))];
    let decimals = (decimal(2, 10i128.pow(10)), decimal(6, 10i128.pow(38)));
    (int(), int(), bigint(), bigint(), double(), boolean, timestamp, string, decimals)
        .prop_map(|(i, j, b, c, d, f, t, s, (m, n))| Row::new(vec![i, j, b, c, d, f, t, s, m, n]))
}

/// DECIMAL literals of several scales, near the limit of 38 digits too.
fn decimal_literal() -> BoxedStrategy<Expr> {
    let typed = |text: &str, precision: u8, scale: u8| Expr::typed_lit(text, DataType::Decimal { precision, scale });
    prop::sample::select(vec![
        typed("0.908", 3, 3),
        typed("12.5", 3, 1),
        typed("-7", 1, 0),
        typed("0", 1, 0),
        typed("0.0000001", 7, 7),
        typed("99999999999999999999.999999", 26, 6),
        typed("12345678901234567890123456789012.345678", 38, 6),
        Expr::typed_lit(serde_json::Value::Null, MONEY),
    ])
    .boxed()
}

fn number_leaf() -> BoxedStrategy<Expr> {
    prop_oneof![
        prop::sample::select(vec!["i", "j", "b", "c", "d", "m", "n"]).prop_map(Expr::col),
        decimal_literal(),
        (-3i64..3).prop_map(Expr::lit),
        Just(Expr::lit(3_000_000_000i64)),
        Just(Expr::lit(1.5)),
        Just(Expr::lit(serde_json::Value::Null)),
    ]
    .boxed()
}

/// INT, BIGINT, DOUBLE and DECIMAL expressions: native arithmetic, casts, CASE, with a few
/// calls that have no native form (ABS, CHAR_LENGTH) so that both compilers meet.
fn number(depth: u32) -> BoxedStrategy<Expr> {
    if depth == 0 {
        return number_leaf();
    }
    let inner = || number(depth - 1);
    let decimal = |precision, scale| DataType::Decimal { precision, scale };
    let casts = vec![DataType::Int, DataType::BigInt, DataType::Double, decimal(12, 2), decimal(5, 0), decimal(20, 10), WIDE];
    prop_oneof![
        2 => number_leaf(),
        4 => (prop::sample::select(vec!["+", "-", "*", "/", "%"]), inner(), inner()).prop_map(|(op, a, b)| Expr::call(op, vec![a, b])),
        2 => (prop::sample::select(casts), inner()).prop_map(|(t, a)| a.cast(t)),
        1 => inner().prop_map(|a| Expr::call("ABS", vec![a])),
        1 => inner().prop_map(|a| Expr::call("NEGATE", vec![a])),
        1 => Just(Expr::call("CHAR_LENGTH", vec![Expr::col("s")])),
        1 => (prop::collection::vec((boolean(depth - 1), inner()), 1..3), prop::option::of(inner())).prop_map(|(branches, otherwise)| case(None, branches, otherwise)),
        1 => (inner(), prop::collection::vec((inner(), inner()), 1..3), prop::option::of(inner()))
            .prop_map(|(subject, branches, otherwise)| case(Some(subject), branches, otherwise)),
        1 => (prop::collection::vec((text(), inner()), 1..3), inner()).prop_map(|(branches, otherwise)| case(Some(Expr::col("s")), branches, Some(otherwise))),
    ]
    .boxed()
}

/// `CASE [subject] WHEN .. THEN .. [ELSE ..] END`.
fn case(subject: Option<Expr>, branches: Vec<(Expr, Expr)>, otherwise: Option<Expr>) -> Expr {
    Expr::Case(Case {
        operand: subject.map(Box::new),
        when: branches.into_iter().map(|(when, then)| WhenThen { when, then }).collect(),
        else_result: otherwise.map(Box::new),
    })
}

/// An IN list: literals (some long enough to be searched by halves, with NULL or not) or
/// expressions.
fn in_list(depth: u32) -> BoxedStrategy<Vec<Expr>> {
    let literal = prop_oneof![(-3i64..3).prop_map(Expr::lit), decimal_literal(), Just(Expr::lit(1.5)), Just(Expr::lit(serde_json::Value::Null))];
    let long = (17i64..40, any::<bool>()).prop_map(|(n, with_null)| {
        let null = with_null.then(|| Expr::lit(serde_json::Value::Null));
        (0..n).map(|k| Expr::lit(k * 3 - 20)).chain(null).collect()
    });
    prop_oneof![prop::collection::vec(literal, 1..4), long, prop::collection::vec(number(depth), 1..4)].boxed()
}

/// An IN list of strings: literals (some long enough to be searched by halves) or expressions.
fn text_list() -> BoxedStrategy<Vec<Expr>> {
    let literal = prop_oneof![prop::sample::select(vec!["", "1", "x", "Xy"]).prop_map(Expr::lit), Just(Expr::lit(serde_json::Value::Null))];
    let long = (17usize..30).prop_map(|n| ["1", "x", "Xy"].iter().map(|s| Expr::lit(*s)).chain((0..n).map(|k| Expr::lit(format!("a{k}")))).collect());
    prop_oneof![prop::collection::vec(literal, 1..5), long, prop::collection::vec(text(), 1..4)].boxed()
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
        2 => (prop::sample::select(vec!["IN", "NOT IN"]), number(depth - 1), in_list(depth - 1)).prop_map(|(op, x, list)| Expr::call(op, [vec![x], list].concat())),
        1 => (prop::sample::select(vec!["IN", "NOT IN"]), text(), text_list()).prop_map(|(op, x, list)| Expr::call(op, [vec![x], list].concat())),
        1 => (prop::sample::select(vec!["LIKE", "NOT LIKE", "ILIKE"]), text(), prop::sample::select(vec!["x%", "_", "%y", "1"]))
            .prop_map(|(op, s, p)| Expr::call(op, vec![s, Expr::lit(p)])),
        1 => (prop::collection::vec((inner(), inner()), 1..3), prop::option::of(inner())).prop_map(|(branches, otherwise)| case(None, branches, otherwise)),
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

/// A value (with its representation: a DECIMAL's scale, a zero's sign) or an error message,
/// comparable.
fn outcome(compiled: &CompiledExpr, row: &Row) -> Result<String, String> {
    compiled.eval(row).map(|v| format!("{v:?}")).map_err(|e| e.message)
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

/// A mantissa near a power of ten (10^k - 1, 10^k, 10^k + 1, either sign), or any.
fn mantissa() -> impl Strategy<Value = i128> {
    prop_oneof![(0u32..39, -1i128..2, any::<bool>()).prop_map(|(k, off, neg)| (10i128.pow(k) + off) * if neg { -1 } else { 1 }), any::<i128>()]
}

proptest! {
    /// The comparison with 10^p that DECIMAL results are checked with counts digits as
    /// [`Decimal::fits_precision`] does.
    #[test]
    fn fits_precision_counts_digits(m in mantissa(), scale in 0u8..40, precision in 0u8..40) {
        let d = Decimal::new(m, scale);
        prop_assert_eq!(fits_precision(d, precision), d.fits_precision(precision), "{} in DECIMAL({}, _)", d, precision);
    }
}

/// The native compiler does take the hot operators (else the property above compares the
/// generic path with itself).
#[test]
fn hot_operators_compile_natively() {
    let columns = Schema::new(["auction", "bidder", "price"].iter().map(|n| Field::new(*n, DataType::BigInt)).collect());
    for text in [
        "(AND (> (+ (* $price 3) (% $bidder 7)) 5000) (<> $auction 1000))",
        "(OR (\"IS NULL\" $price) (NOT (< (/ $price 2) (cast DOUBLE $auction))))",
        "(+ (cast INT $price) 1)",
        "(BETWEEN $price 1 (* $auction 2))",
        "(= (cast STRING $price) '7')",
        "(* (lit DECIMAL[3,3] '0.908') $price)",
        "(> (cast DECIMAL[12,2] $price) (lit DECIMAL[5,1] '99.5'))",
        "(cast DOUBLE (/ $price (lit DECIMAL[10,2] '7.25')))",
        "(case (when (> $price 10) (* $price 2)) (else 0))",
        "(case_of $bidder (when 1 10) (when 2 20) (else 0))",
        "(IN $price 1 2 3)",
        "(\"NOT IN\" (cast STRING $price) 'a' 'b')",
        "(LIKE (cast STRING $price) '1%')",
        "(NEGATE (* $price (lit DECIMAL[4,2] '1.07')))",
    ] {
        let bound = bind(&parse(text), &columns, &BindContext::default()).expect("the expression binds");
        assert!(native::compile(&bound, Compiler::new(None, true)).is_some(), "{text} compiles natively");
    }
}

/// A DECIMAL literal times an integer column (`0.908 * price`, either order) is computed on
/// the integer as it lies; at the integers' extremes and next to 38 digits it gives what the
/// generic kernel gives (NULL past the result's precision).
#[test]
fn literal_times_integer_agrees_at_the_limits() {
    let literals = [
        "(lit DECIMAL[3,3] '0.908')",
        "(lit DECIMAL[4,2] '-1.07')",
        "(lit DECIMAL[20,0] '99999999999999999999')",
        "(lit DECIMAL[38,19] '9999999999999999999.9999999999999999999')",
    ];
    let integers = [Value::BigInt(i64::MAX), Value::BigInt(i64::MIN), Value::BigInt(-1), Value::BigInt(0), Value::BigInt(7), Value::Null];
    let ints = [Value::Int(i32::MAX), Value::Int(i32::MIN), Value::Int(3), Value::Null];
    for literal in literals {
        for text in [format!("(* {literal} $b)"), format!("(* $b {literal})"), format!("(* {literal} $i)"), format!("(* $i {literal})")] {
            let bound = bind(&parse(&text), &schema(), &BindContext::default()).expect("the product binds");
            assert!(native::compile(&bound, Compiler::new(None, true)).is_some(), "{text} compiles natively");
            let (native, generic) = (CompiledExpr::new(&bound), CompiledExpr::generic(&bound));
            for (b, i) in integers.iter().zip(ints.iter().cycle()) {
                let mut values = vec![Value::Null; COLUMNS.len()];
                (values[0], values[2]) = (i.clone(), b.clone());
                let row = Row::new(values);
                assert_eq!(outcome(&native, &row), outcome(&generic, &row), "{text} on {row:?}");
            }
        }
    }
}
