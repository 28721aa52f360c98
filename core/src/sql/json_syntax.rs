//! Flink's JSON function syntax, which `sqlparser` does not read, parsed by [`FlinkDialect`]'s
//! hooks into plain calls whose clauses become literal string arguments in fixed positions
//! (the forms the function registry binds, `expr::functions::json`):
//!
//! * `s IS [NOT] JSON [VALUE|OBJECT|ARRAY|SCALAR]` → `IS_JSON(s, 'KIND')` (under NOT);
//! * `JSON_EXISTS(j, p [{TRUE|FALSE|UNKNOWN|ERROR} ON ERROR])` → `JSON_EXISTS(j, p, 'MODE')`;
//! * `JSON_VALUE(j, p [RETURNING t] [{NULL|ERROR|DEFAULT x} ON EMPTY] [.. ON ERROR])` →
//!   `JSON_VALUE(j, p, 'T', empty_mode, empty_default, error_mode, error_default)`;
//! * `JSON_QUERY(j, p [{WITHOUT|WITH [CONDITIONAL|UNCONDITIONAL]} [ARRAY] WRAPPER]
//!   [{NULL|EMPTY ARRAY|EMPTY OBJECT|ERROR} ON EMPTY] [.. ON ERROR])` →
//!   `JSON_QUERY(j, p, wrapper, empty_mode, error_mode)`;
//! * `JSON_OBJECT([KEY] k VALUE v, .. [{NULL|ABSENT} ON NULL])` → `JSON_OBJECT('MODE', k, v, ..)`;
//! * `JSON_ARRAY(v, .. [{NULL|ABSENT} ON NULL])` → `JSON_ARRAY('MODE', v, ..)`;
//! * the aggregates `JSON_OBJECTAGG([KEY] k VALUE v ..)` and `JSON_ARRAYAGG(v ..)` alike.
//!
//! Parse errors carry the parser's line and column.
//!
//! [`FlinkDialect`]: super::dialect::FlinkDialect

use sqlparser::ast::{self, Expr, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments, Ident, ObjectName, ObjectNamePart, UnaryOperator};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Span, Token};

/// The functions whose argument lists this module reads.
const JSON_CALLS: [&str; 7] = ["JSON_EXISTS", "JSON_VALUE", "JSON_QUERY", "JSON_OBJECT", "JSON_ARRAY", "JSON_OBJECTAGG", "JSON_ARRAYAGG"];

/// Consumes the unquoted word `word` (any case) if it comes next.
fn word(parser: &mut Parser, word: &str) -> bool {
    let next = parser.peek_token();
    if matches!(&next.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word)) {
        parser.next_token();
        return true;
    }
    false
}

/// Consumes the words `words` if they all come next; consumes nothing otherwise.
fn words(parser: &mut Parser, words: &[&str]) -> bool {
    let all = words
        .iter()
        .enumerate()
        .all(|(i, w)| matches!(&parser.peek_nth_token(i).token, Token::Word(t) if t.quote_style.is_none() && t.value.eq_ignore_ascii_case(w)));
    if all {
        words.iter().for_each(|_| {
            parser.next_token();
        });
    }
    all
}

fn text(s: &str) -> Expr {
    Expr::Value(ast::Value::SingleQuotedString(s.to_string()).with_empty_span())
}

fn call(name: &str, span: Span, args: Vec<Expr>) -> Expr {
    let args = args.into_iter().map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e))).collect();
    Expr::Function(ast::Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::with_span(span, name))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList { duplicate_treatment: None, args, clauses: Vec::new() }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: Vec::new(),
    })
}

/// Flink's map constructor `MAP[k1, v1, ..]` when it comes next, as a call of `MAP`
/// (`sqlparser` reads only DuckDB's `MAP {..}`); `None` leaves the parser where it was.
pub(super) fn parse_map_constructor(parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
    let next = parser.peek_token();
    let Token::Word(w) = &next.token else { return None };
    if w.quote_style.is_some() || !w.value.eq_ignore_ascii_case("MAP") || parser.peek_nth_token(1).token != Token::LBracket {
        return None;
    }
    parser.next_token();
    parser.next_token();
    let args = parser.parse_comma_separated(Parser::parse_expr).and_then(|args| {
        parser.expect_token(&Token::RBracket)?;
        Ok(args)
    });
    Some(args.map(|args| call("MAP", next.span, args)))
}

/// `JSON_EXISTS(..)`, `JSON_VALUE(..)`, `JSON_QUERY(..)`, `JSON_OBJECT(..)`, `JSON_ARRAY(..)`
/// or one of their aggregates when one comes next; `None` leaves the parser where it was.
pub(super) fn parse_json_call(parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
    let next = parser.peek_token();
    let Token::Word(w) = &next.token else { return None };
    let name = w.value.to_ascii_uppercase();
    if w.quote_style.is_some() || !JSON_CALLS.contains(&name.as_str()) || parser.peek_nth_token(1).token != Token::LParen {
        return None;
    }
    parser.next_token();
    parser.next_token();
    let args = match name.as_str() {
        "JSON_EXISTS" => json_exists(parser),
        "JSON_VALUE" => json_value(parser),
        "JSON_QUERY" => json_query(parser),
        "JSON_OBJECT" | "JSON_OBJECTAGG" => json_object(parser),
        _ => json_array(parser),
    };
    Some(args.and_then(|args| {
        parser.expect_token(&Token::RParen)?;
        Ok(call(&name, next.span, args))
    }))
}

/// The document and path arguments.
fn document_and_path(parser: &mut Parser) -> Result<Vec<Expr>, ParserError> {
    let json = parser.parse_expr()?;
    parser.expect_token(&Token::Comma)?;
    Ok(vec![json, parser.parse_expr()?])
}

fn json_exists(parser: &mut Parser) -> Result<Vec<Expr>, ParserError> {
    let mut args = document_and_path(parser)?;
    for mode in ["TRUE", "FALSE", "UNKNOWN", "ERROR"] {
        if words(parser, &[mode, "ON", "ERROR"]) {
            args.push(text(mode));
            break;
        }
    }
    Ok(args)
}

/// `{NULL|ERROR|DEFAULT x} ON {EMPTY|ERROR}` clauses of JSON_VALUE: (mode, default) for
/// empty and for error.
fn value_behaviours(parser: &mut Parser) -> Result<[(Expr, Expr); 2], ParserError> {
    let mut found: [Option<(Expr, Expr)>; 2] = [None, None];
    loop {
        let (mode, default) = if word(parser, "NULL") {
            ("NULL", Expr::Value(ast::Value::Null.with_empty_span()))
        } else if word(parser, "ERROR") {
            ("ERROR", Expr::Value(ast::Value::Null.with_empty_span()))
        } else if word(parser, "DEFAULT") {
            ("DEFAULT", parser.parse_expr()?)
        } else {
            break;
        };
        parser.expect_keyword_is(Keyword::ON)?;
        let slot = if word(parser, "EMPTY") {
            0
        } else if word(parser, "ERROR") {
            1
        } else {
            return parser.expected("EMPTY or ERROR", parser.peek_token());
        };
        if found[slot].is_some() {
            return parser.expected("one ON EMPTY and one ON ERROR clause", parser.peek_token());
        }
        found[slot] = Some((text(mode), default));
    }
    Ok(found.map(|f| f.unwrap_or_else(|| (text("NULL"), Expr::Value(ast::Value::Null.with_empty_span())))))
}

fn json_value(parser: &mut Parser) -> Result<Vec<Expr>, ParserError> {
    let mut args = document_and_path(parser)?;
    let returning = if parser.parse_keyword(Keyword::RETURNING) { parser.parse_data_type()?.to_string() } else { "STRING".to_string() };
    args.push(text(&returning));
    let [(empty_mode, empty_default), (error_mode, error_default)] = value_behaviours(parser)?;
    args.extend([empty_mode, empty_default, error_mode, error_default]);
    Ok(args)
}

/// `NULL`, `EMPTY ARRAY`, `EMPTY OBJECT` or `ERROR`, if one comes next.
fn query_behaviour(parser: &mut Parser) -> Option<&'static str> {
    if words(parser, &["EMPTY", "ARRAY"]) {
        Some("EMPTY ARRAY")
    } else if words(parser, &["EMPTY", "OBJECT"]) {
        Some("EMPTY OBJECT")
    } else {
        ["NULL", "ERROR"].into_iter().find(|m| word(parser, m))
    }
}

fn json_query(parser: &mut Parser) -> Result<Vec<Expr>, ParserError> {
    let mut args = document_and_path(parser)?;
    if parser.parse_keyword(Keyword::RETURNING) {
        let t = parser.parse_data_type()?;
        if !matches!(t.to_string().to_ascii_uppercase().as_str(), "STRING" | "VARCHAR") {
            return Err(ParserError::ParserError(format!("JSON_QUERY(.. RETURNING {t}) is not supported (only STRING)")));
        }
    }
    let wrapper = if word(parser, "WITHOUT") {
        Some("WITHOUT")
    } else if word(parser, "WITH") {
        Some(if word(parser, "CONDITIONAL") {
            "CONDITIONAL"
        } else {
            word(parser, "UNCONDITIONAL");
            "UNCONDITIONAL"
        })
    } else {
        None
    };
    if wrapper.is_some() {
        word(parser, "ARRAY");
        if !word(parser, "WRAPPER") {
            return parser.expected("WRAPPER", parser.peek_token());
        }
    }
    let mut behaviours = ["NULL", "NULL"];
    let mut seen = [false, false];
    while let Some(mode) = query_behaviour(parser) {
        parser.expect_keyword_is(Keyword::ON)?;
        let slot = if word(parser, "EMPTY") {
            0
        } else if word(parser, "ERROR") {
            1
        } else {
            return parser.expected("EMPTY or ERROR", parser.peek_token());
        };
        if std::mem::replace(&mut seen[slot], true) {
            return parser.expected("one ON EMPTY and one ON ERROR clause", parser.peek_token());
        }
        behaviours[slot] = mode;
    }
    args.extend([text(wrapper.unwrap_or("WITHOUT")), text(behaviours[0]), text(behaviours[1])]);
    Ok(args)
}

/// `NULL ON NULL` or `ABSENT ON NULL`, if one comes next.
fn on_null(parser: &mut Parser) -> Option<&'static str> {
    ["NULL", "ABSENT"].into_iter().find(|m| words(parser, &[*m, "ON", "NULL"]))
}

fn json_object(parser: &mut Parser) -> Result<Vec<Expr>, ParserError> {
    let mut pairs = Vec::new();
    let mut mode = on_null(parser);
    while mode.is_none() && parser.peek_token().token != Token::RParen {
        if !pairs.is_empty() {
            parser.expect_token(&Token::Comma)?;
        }
        // `KEY` is the keyword unless it is the key itself (a column named key: `key VALUE v`).
        let value_next = matches!(&parser.peek_nth_token(1).token, Token::Word(w) if w.value.eq_ignore_ascii_case("VALUE"));
        if !value_next {
            word(parser, "KEY");
        }
        pairs.push(parser.parse_expr()?);
        if !word(parser, "VALUE") {
            return parser.expected("VALUE", parser.peek_token());
        }
        pairs.push(parser.parse_expr()?);
        mode = on_null(parser);
    }
    let mut args = vec![text(mode.unwrap_or("NULL"))];
    args.extend(pairs);
    Ok(args)
}

fn json_array(parser: &mut Parser) -> Result<Vec<Expr>, ParserError> {
    let mut values = Vec::new();
    let mut mode = on_null(parser);
    while mode.is_none() && parser.peek_token().token != Token::RParen {
        if !values.is_empty() {
            parser.expect_token(&Token::Comma)?;
        }
        values.push(parser.parse_expr()?);
        mode = on_null(parser);
    }
    let mut args = vec![text(mode.unwrap_or("ABSENT"))];
    args.extend(values);
    Ok(args)
}

/// `IS [NOT] JSON [VALUE|OBJECT|ARRAY|SCALAR]` after `expr`, if it comes next.
pub(super) fn parse_is_json(parser: &mut Parser, expr: &Expr) -> Option<Expr> {
    let negated = if parser.parse_keywords(&[Keyword::IS, Keyword::JSON]) {
        false
    } else if parser.parse_keywords(&[Keyword::IS, Keyword::NOT, Keyword::JSON]) {
        true
    } else {
        return None;
    };
    let kind = ["VALUE", "OBJECT", "ARRAY", "SCALAR"].into_iter().find(|k| word(parser, k)).unwrap_or("VALUE");
    let test = call("IS_JSON", Span::empty(), vec![expr.clone(), text(kind)]);
    Some(if negated { Expr::UnaryOp { op: UnaryOperator::Not, expr: Box::new(test) } } else { test })
}
