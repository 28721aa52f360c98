//! Flink's CREATE TABLE, read from tokens: column types as Flink spells them, computed columns
//! (`name AS expr`), `WATERMARK FOR col AS expr`, `PRIMARY KEY (..) NOT ENFORCED`, and the
//! `WITH ('k' = 'v', ...)` options. `sqlparser` parses the expressions inside.

use std::collections::BTreeMap;

use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::types::DataType;

use super::catalog::{ColumnKind, TableColumn, TableDef, WatermarkSpec};
use super::dialect::FlinkDialect;
use super::error::{SqlError, SqlPosition};
use super::script::{StatementTokens, parse_error, position};

/// A parsed `CREATE [TEMPORARY] TABLE [IF NOT EXISTS] ...`.
#[derive(Clone, Debug)]
pub struct CreateTable {
    /// The table.
    pub table: TableDef,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
}

/// A reader over one statement's tokens.
struct Reader<'a> {
    parser: Parser<'a>,
    end: SqlPosition,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> TokenWithSpan {
        self.parser.peek_token()
    }

    fn at(&self) -> SqlPosition {
        let t = self.peek();
        if t.token == Token::EOF { self.end.clone() } else { position(t.span.start) }
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(&self.peek().token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let hit = self.is_word(word);
        if hit {
            self.parser.next_token();
        }
        hit
    }

    fn eat_words(&mut self, words: &[&str]) -> bool {
        let hit = words
            .iter()
            .enumerate()
            .all(|(i, w)| matches!(&self.parser.peek_nth_token(i).token, Token::Word(t) if t.quote_style.is_none() && t.value.eq_ignore_ascii_case(w)));
        if hit {
            for _ in words {
                self.parser.next_token();
            }
        }
        hit
    }

    fn expected<T>(&self, what: &str) -> Result<T, SqlError> {
        let t = self.peek();
        let found = if t.token == Token::EOF { "end of statement".to_string() } else { format!("\"{}\"", t.token) };
        Err(SqlError::Parse { at: self.at(), message: format!("expected {what}, found {found}") })
    }

    fn expect_word(&mut self, word: &str) -> Result<(), SqlError> {
        if self.eat_word(word) { Ok(()) } else { self.expected(word) }
    }

    fn expect_token(&mut self, token: Token) -> Result<(), SqlError> {
        if self.parser.consume_token(&token) { Ok(()) } else { self.expected(&format!("'{token}'")) }
    }

    fn wrap<T>(&self, r: Result<T, sqlparser::parser::ParserError>) -> Result<T, SqlError> {
        r.map_err(|e| parse_error(e, self.end.clone()))
    }

    fn identifier(&mut self) -> Result<String, SqlError> {
        let r = self.parser.parse_identifier();
        Ok(self.wrap(r)?.value)
    }

    fn string(&mut self) -> Result<String, SqlError> {
        let r = self.parser.parse_literal_string();
        self.wrap(r)
    }

    fn column_list(&mut self) -> Result<Vec<String>, SqlError> {
        self.expect_token(Token::LParen)?;
        let mut names = vec![self.identifier()?];
        while self.parser.consume_token(&Token::Comma) {
            names.push(self.identifier()?);
        }
        self.expect_token(Token::RParen)?;
        Ok(names)
    }
}

/// Reads a CREATE TABLE statement.
pub fn parse_create_table(stmt: &StatementTokens) -> Result<CreateTable, SqlError> {
    let dialect = FlinkDialect;
    let mut r = Reader { parser: Parser::new(&dialect).with_tokens_with_locations(stmt.tokens.clone()), end: stmt.end() };
    r.expect_word("CREATE")?;
    r.eat_word("TEMPORARY");
    r.expect_word("TABLE")?;
    let if_not_exists = r.eat_words(&["IF", "NOT", "EXISTS"]);
    let name_result = r.parser.parse_object_name(false);
    let name = r.wrap(name_result)?;
    let name = name.0.last().and_then(|p| p.as_ident()).map(|i| i.value.clone()).unwrap_or_default();
    let mut table = TableDef { name, columns: Vec::new(), primary_key: Vec::new(), watermark: None, connector: String::new(), options: BTreeMap::new() };
    r.expect_token(Token::LParen)?;
    loop {
        table_element(&mut r, &mut table)?;
        if r.parser.consume_token(&Token::Comma) {
            continue;
        }
        r.expect_token(Token::RParen)?;
        break;
    }
    table_options(&mut r, &mut table)?;
    if r.peek().token != Token::EOF {
        return r.expected("end of statement");
    }
    check_table(&table, stmt.start())?;
    Ok(CreateTable { table, if_not_exists })
}

fn table_element(r: &mut Reader<'_>, table: &mut TableDef) -> Result<(), SqlError> {
    if r.eat_word("WATERMARK") {
        r.expect_word("FOR")?;
        let column = r.identifier()?;
        r.expect_word("AS")?;
        let expr = r.parser.parse_expr();
        table.watermark = Some(WatermarkSpec { column, expr: r.wrap(expr)? });
        return Ok(());
    }
    if r.eat_word("CONSTRAINT") {
        r.identifier()?;
    }
    if r.eat_words(&["PRIMARY", "KEY"]) {
        table.primary_key = r.column_list()?;
        r.eat_words(&["NOT", "ENFORCED"]);
        return Ok(());
    }
    let at = r.at();
    let name = r.identifier()?;
    if table.columns.iter().any(|c| c.name == name) {
        return Err(SqlError::Invalid { message: format!("column \"{name}\" is declared twice"), at: Some(at) });
    }
    if r.eat_word("AS") {
        let expr = r.parser.parse_expr();
        let expr = r.wrap(expr)?;
        table.columns.push(TableColumn { name, data_type: None, nullable: true, kind: ColumnKind::Computed(Box::new(expr)) });
        r.eat_word("VIRTUAL");
        return column_comment(r);
    }
    let data_type = column_type(r)?;
    let mut nullable = true;
    loop {
        if r.eat_words(&["NOT", "NULL"]) {
            nullable = false;
        } else if r.eat_word("NULL") {
            nullable = true;
        } else if r.eat_words(&["PRIMARY", "KEY"]) {
            r.eat_words(&["NOT", "ENFORCED"]);
            table.primary_key = vec![name.clone()];
        } else if r.is_word("METADATA") {
            return Err(SqlError::Unsupported { feature: "METADATA columns".into(), at: Some(r.at()) });
        } else {
            break;
        }
    }
    table.columns.push(TableColumn { name, data_type: Some(data_type), nullable, kind: ColumnKind::Physical });
    column_comment(r)
}

fn column_comment(r: &mut Reader<'_>) -> Result<(), SqlError> {
    if r.eat_word("COMMENT") {
        r.string()?;
    }
    Ok(())
}

/// The type's tokens up to the next `,` / `)` at depth 0 or a column constraint, parsed with
/// [`DataType`]'s `FromStr` (Flink's type names).
fn column_type(r: &mut Reader<'_>) -> Result<DataType, SqlError> {
    let at = r.at();
    let mut text = Vec::new();
    let mut depth = 0i32;
    loop {
        let t = r.peek();
        let stop = match &t.token {
            Token::EOF => true,
            Token::Comma | Token::RParen if depth == 0 => true,
            Token::Word(w) if depth == 0 && w.quote_style.is_none() => {
                ["NOT", "NULL", "PRIMARY", "METADATA", "COMMENT"].iter().any(|k| w.value.eq_ignore_ascii_case(k))
            }
            _ => false,
        };
        if stop {
            break;
        }
        match t.token {
            Token::LParen | Token::Lt => depth += 1,
            Token::RParen | Token::Gt => depth -= 1,
            Token::ShiftRight => depth -= 2,
            _ => {}
        }
        text.push(t.token.to_string());
        r.parser.next_token();
    }
    if text.is_empty() {
        return r.expected("a column type");
    }
    let text = text.join(" ");
    text.parse::<DataType>().map_err(|e| {
        let upper = text.to_ascii_uppercase();
        if ["ROW", "MULTISET"].iter().any(|k| upper.starts_with(k)) {
            SqlError::Unsupported { feature: format!("column type {text}"), at: Some(at.clone()) }
        } else {
            SqlError::Invalid { message: e.to_string(), at: Some(at.clone()) }
        }
    })
}

fn table_options(r: &mut Reader<'_>, table: &mut TableDef) -> Result<(), SqlError> {
    loop {
        if r.eat_word("COMMENT") {
            r.string()?;
        } else if r.is_word("PARTITIONED") {
            return Err(SqlError::Unsupported { feature: "PARTITIONED BY".into(), at: Some(r.at()) });
        } else if r.is_word("LIKE") {
            return Err(SqlError::Unsupported { feature: "CREATE TABLE ... LIKE".into(), at: Some(r.at()) });
        } else if r.eat_word("WITH") {
            r.expect_token(Token::LParen)?;
            loop {
                let at = r.at();
                let key = r.string()?;
                r.expect_token(Token::Eq)?;
                let value = r.string()?;
                if key == "connector" {
                    table.connector = value;
                } else if table.options.insert(key.clone(), value).is_some() {
                    return Err(SqlError::Invalid { message: format!("option '{key}' is given twice"), at: Some(at) });
                }
                if !r.parser.consume_token(&Token::Comma) {
                    break;
                }
            }
            r.expect_token(Token::RParen)?;
        } else {
            return Ok(());
        }
    }
}

fn check_table(table: &TableDef, at: SqlPosition) -> Result<(), SqlError> {
    let err = |message: String| Err(SqlError::Invalid { message, at: Some(at.clone()) });
    if table.connector.is_empty() {
        return err(format!("table \"{}\" needs a 'connector' option in its WITH clause (e.g. 'connector' = 'filesystem')", table.name));
    }
    let has = |name: &str| table.columns.iter().any(|c| c.name == name);
    for k in &table.primary_key {
        if !has(k) {
            return err(format!("primary key column \"{k}\" is not a column of table \"{}\"", table.name));
        }
    }
    if let Some(w) = &table.watermark
        && !has(&w.column)
    {
        return err(format!("watermark column \"{}\" is not a column of table \"{}\"", w.column, table.name));
    }
    if table.physical_schema().is_empty() {
        return err(format!("table \"{}\" needs at least one physical column", table.name));
    }
    Ok(())
}
