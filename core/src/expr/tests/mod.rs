//! Table-driven tests of the expression language. Expressions are written in a small
//! s-expression form so that tables stay readable:
//! `(+ $i 1)`, `(cast INT 's')`, `(lit DECIMAL[10,2] '1.50')`, `("IS NULL" $n)`,
//! `(case (when c r) (else r))`, `(case_of x (when v r))`.

mod float;
mod functions;
mod native;
mod operators;
mod props;
mod regexp;

use crate::types::{DataType, Field, Row, Schema, Value};

use super::{BindContext, Expr, bind};

/// The test input: one column of each type, plus NULL columns.
pub(super) fn schema() -> Schema {
    let f = Field::new;
    Schema::new(vec![
        f("i", DataType::Int),
        f("b", DataType::BigInt),
        f("d", DataType::Double),
        f("m", DataType::Decimal { precision: 10, scale: 2 }),
        f("s", DataType::String),
        f("t", DataType::Timestamp),
        f("z", DataType::TimestampLtz),
        f("dt", DataType::Date),
        f("f", DataType::Boolean),
        f("n", DataType::Int),
        f("ns", DataType::String),
        f("nb", DataType::Boolean),
        f("neg", DataType::Int),
        f("e", DataType::String),
        f("price", DataType::BigInt).with_nullable(false),
        f("r", DataType::Float),
    ])
}

pub(super) fn row() -> Row {
    let types = schema();
    let text = [
        "7",
        "10000000000",
        "2.5",
        "12.34",
        "Hello World",
        "2023-11-14 22:13:20.123",
        "2023-11-14 22:13:20.123",
        "2023-11-14",
        "true",
        "",
        "",
        "",
        "-7",
        "",
        "42",
        "2.7",
    ];
    let null_columns = ["n", "ns", "nb"];
    types
        .fields
        .iter()
        .zip(text)
        .map(|(field, t)| if null_columns.contains(&field.name.as_str()) { Value::Null } else { crate::types::parse_value(t, &field.data_type).unwrap() })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Str(String),
    Name(String),
    Atom(String),
}

fn tokens(src: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '(' => out.push(Token::Open),
            ')' => out.push(Token::Close),
            c if c.is_whitespace() => {}
            '\'' | '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    if chars[i] == c {
                        if chars.get(i + 1) == Some(&c) {
                            s.push(c);
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    s.push(chars[i]);
                    i += 1;
                }
                out.push(if c == '\'' { Token::Str(s) } else { Token::Name(s) });
            }
            _ => {
                let mut s = String::new();
                while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '(' && chars[i] != ')' {
                    s.push(chars[i]);
                    i += 1;
                }
                out.push(Token::Atom(s));
                continue;
            }
        }
        i += 1;
    }
    out
}

fn data_type(atom: &str) -> DataType {
    atom.replace('[', "(").replace(']', ")").parse().unwrap()
}

fn parse_expr(toks: &[Token], pos: &mut usize) -> Expr {
    let t = toks[*pos].clone();
    *pos += 1;
    match t {
        Token::Str(s) => Expr::lit(s),
        Token::Atom(a) => atom(&a),
        Token::Name(n) => panic!("function name {n} outside a call"),
        Token::Close => panic!("unexpected )"),
        Token::Open => {
            let head = toks[*pos].clone();
            *pos += 1;
            let e = match head {
                Token::Atom(h) if h == "cast" || h == "try_cast" => {
                    let (Token::Atom(ty) | Token::Name(ty)) = toks[*pos].clone() else { panic!("type expected") };
                    *pos += 1;
                    let inner = parse_expr(toks, pos);
                    let mut e = inner.cast(data_type(&ty));
                    if let Expr::Cast(c) = &mut e {
                        c.try_cast = h == "try_cast";
                    }
                    e
                }
                Token::Atom(h) if h == "lit" => {
                    let (Token::Atom(ty) | Token::Name(ty)) = toks[*pos].clone() else { panic!("type expected") };
                    *pos += 1;
                    let v = match toks[*pos].clone() {
                        Token::Str(s) => serde_json::Value::String(s),
                        Token::Atom(a) => serde_json::from_str(&a).unwrap(),
                        other => panic!("literal value expected, got {other:?}"),
                    };
                    *pos += 1;
                    Expr::typed_lit(v, data_type(&ty))
                }
                Token::Atom(h) if h == "case" || h == "case_of" => {
                    let operand = (h == "case_of").then(|| Box::new(parse_expr(toks, pos)));
                    let mut when = Vec::new();
                    let mut else_result = None;
                    while toks[*pos] == Token::Open {
                        *pos += 1;
                        let Token::Atom(kind) = toks[*pos].clone() else { panic!("when/else expected") };
                        *pos += 1;
                        if kind == "when" {
                            let w = parse_expr(toks, pos);
                            let r = parse_expr(toks, pos);
                            when.push(super::WhenThen { when: w, then: r });
                        } else {
                            else_result = Some(Box::new(parse_expr(toks, pos)));
                        }
                        assert_eq!(toks[*pos], Token::Close);
                        *pos += 1;
                    }
                    Expr::Case(super::Case { operand, when, else_result })
                }
                Token::Atom(name) | Token::Name(name) => {
                    let mut args = Vec::new();
                    while toks[*pos] != Token::Close {
                        args.push(parse_expr(toks, pos));
                    }
                    Expr::call(&name, args)
                }
                other => panic!("call head expected, got {other:?}"),
            };
            assert_eq!(toks[*pos], Token::Close, "missing )");
            *pos += 1;
            e
        }
    }
}

fn atom(a: &str) -> Expr {
    match a {
        "null" => Expr::lit(serde_json::Value::Null),
        "true" => Expr::lit(true),
        "false" => Expr::lit(false),
        _ if a.starts_with('$') => match a[1..].parse::<usize>() {
            Ok(i) => Expr::col_at(i),
            Err(_) => Expr::col(&a[1..]),
        },
        _ => Expr::lit(serde_json::from_str::<serde_json::Value>(a).unwrap_or_else(|_| panic!("bad atom {a}"))),
    }
}

/// Parses the test syntax into an expression.
pub(super) fn parse(src: &str) -> Expr {
    let toks = tokens(src);
    let mut pos = 0;
    let e = parse_expr(&toks, &mut pos);
    assert_eq!(pos, toks.len(), "trailing tokens in {src}");
    e
}

/// A value as the tables write it: strings quoted, everything else as displayed.
/// Date-times always with their seconds and without a zone, times of day with their shortest
/// fraction (the tables below were written so), not as rows print them.
pub(super) fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        other => other.iso_temporal_text().unwrap_or_else(|| other.to_string()),
    }
}

/// Binds (in `zone`), compiles and evaluates `src` on the test row: the value, `ERR: msg` for
/// an evaluation error, or `BIND[path]: msg` for a binding error.
pub(super) fn eval_in(src: &str, zone: Option<&str>) -> String {
    let ctx = BindContext { time_zone: zone.map(str::to_string), ..BindContext::default() };
    match bind(&parse(src), &schema(), &ctx) {
        Err(e) => format!("BIND[{}]: {}", e.path, e.message),
        Ok(b) => match b.compile().eval(&row()) {
            Ok(v) => show(&v),
            Err(e) => format!("ERR: {}", e.message),
        },
    }
}

pub(super) fn eval(src: &str) -> String {
    eval_in(src, None)
}

/// The bound type of `src`.
pub(super) fn type_of(src: &str) -> String {
    match bind(&parse(src), &schema(), &BindContext::default()) {
        Ok(b) => b.data_type().to_string(),
        Err(e) => format!("BIND[{}]: {}", e.path, e.message),
    }
}

/// Checks a table of (expression, expected result).
pub(super) fn check(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (src, want) in cases {
        let got = eval(src);
        if got != *want {
            failures.push(format!("{src}\n    want {want}\n    got  {got}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Checks a table of (expression, expected type).
pub(super) fn check_types(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (src, want) in cases {
        let got = type_of(src);
        if got != *want {
            failures.push(format!("{src}\n    want {want}\n    got  {got}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
