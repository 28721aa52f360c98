//! [`SqlSession`]: a catalog plus settings, executing scripts statement by statement into
//! [`SqlOutcome`]s. Planning only: nothing here runs a job.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sqlparser::ast::{self, ObjectType, Statement};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use crate::SpecPath;
use crate::plan::paths::PathPolicy;
use crate::plan::{JobSpec, Limits, job_config, with_stack};

use super::builder::PlannedJob;
use super::catalog::{Catalog, ViewDef};
use super::ddl::parse_create_table;
use super::describe::describe;
use super::dialect::FlinkDialect;
use super::dml::{plan_inserts, plan_query};
use super::error::{SqlError, SqlPosition};
use super::limits::{check_depth, check_length};
use super::script::{RawStatement, StatementTokens, parse_error, position, split_script};
use super::table_hints::{DYNAMIC_OPTIONS_CONFIG, OptionPaths, TableHints, check_dynamic_options_setting};

/// What one statement produced.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlOutcome {
    /// DDL or a setting took effect; the message says what.
    Done(String),
    /// `INSERT INTO` (or a statement set): a job writing to the tables' connectors.
    Job(JobSpec),
    /// A bare query: a job whose last node is the `collect` sink `result`.
    Query(JobSpec),
    /// `EXPLAIN`: the plan as written, the physical plan and the JSON job spec (see
    /// [`super::explain`]).
    Explain(String),
    /// Rows to show (SHOW TABLES, DESCRIBE, SET without arguments).
    Table(ResultTable),
}

/// A small table of strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultTable {
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows, each as many cells as there are columns.
    pub rows: Vec<Vec<String>>,
}

/// A SQL session: tables and views declared so far, and the `SET` options in force.
#[derive(Clone, Debug, Default)]
pub struct SqlSession {
    catalog: Catalog,
    config: BTreeMap<String, String>,
    paths: OptionPaths,
    limits: Limits,
}

impl SqlSession {
    /// An empty session.
    pub fn new() -> SqlSession {
        SqlSession::default()
    }

    /// Relative `'path'` options of tables created from now on are resolved against `dir`
    /// (e.g. the directory of the script). Without it they are kept as written.
    pub fn set_base_dir(&mut self, dir: impl Into<PathBuf>) {
        self.paths.base_dir = Some(dir.into());
    }

    /// Path options of tables created from now on must lie under `policy`'s roots (relative
    /// ones are resolved against its base) and are rewritten to their resolved paths; a table
    /// naming a path outside is refused at `CREATE TABLE`, before anything reads it. For
    /// `weir serve`; `weir run` sets none.
    pub fn set_path_policy(&mut self, policy: PathPolicy) {
        self.paths.policy = Some(policy);
    }

    /// Sets the size and depth limits statements are held to (before `SET` adjusts them); a
    /// server passes its own, with [`Limits::raisable`] off so that `SET` may only lower them.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// The limits in force now: those set by [`SqlSession::set_limits`] (or the defaults), as
    /// adjusted by `SET`.
    pub fn limits(&self) -> Result<Limits, SqlError> {
        self.limits
            .with_config(&self.config, &SpecPath::default().field("config"))
            .map_err(|e| SqlError::Invalid { message: format!("{}: {}", e.path, e.message), at: None })
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The catalog, to register user functions or tables from outside SQL (the Python SDK).
    pub fn catalog_mut(&mut self) -> &mut Catalog {
        &mut self.catalog
    }

    /// The settings in force (`SET 'k' = 'v'`); copied into every job's `config`.
    pub fn config(&self) -> &BTreeMap<String, String> {
        &self.config
    }

    /// Executes every statement of `script` in order; stops at the first error (statements
    /// before it keep their effect on the session). The text is held to the session's
    /// [`Limits`] (length, depth, plan nodes) before anything is parsed.
    pub fn execute_script(&mut self, script: &str) -> Result<Vec<SqlOutcome>, SqlError> {
        let run = |session: &mut SqlSession| -> Result<Vec<SqlOutcome>, SqlError> {
            let limits = session.limits()?;
            check_length(script, &limits)?;
            let mut out = Vec::new();
            for statement in split_script(script)? {
                // The limits may have changed by a SET in the script; the stack they need
                // is reserved per statement.
                let limits = session.limits()?;
                out.push(with_stack(&limits, || session.execute(&statement))?);
            }
            Ok(out)
        };
        run(self).map_err(|e| e.with_snippet(script))
    }

    fn execute(&mut self, statement: &RawStatement) -> Result<SqlOutcome, SqlError> {
        match statement {
            RawStatement::StatementSet { statements, at } => {
                let limits = self.limits()?;
                for st in statements {
                    check_depth(st, &limits)?;
                }
                let job = self.statement_set(statements).map_err(|e| e.or_at(Some(at.clone())))?;
                check_planned(&job.spec, &limits, at.clone())?;
                Ok(SqlOutcome::Job(job.spec))
            }
            RawStatement::Single(st) => {
                let at = st.start();
                self.single(st).map_err(|e| match e {
                    SqlError::Plan { ref error, .. } => {
                        let call = st.call_position(&error.message);
                        e.or_at(Some(call.unwrap_or(at)))
                    }
                    other => other,
                })
            }
        }
    }

    fn single(&mut self, st: &StatementTokens) -> Result<SqlOutcome, SqlError> {
        let limits = self.limits()?;
        check_depth(st, &limits)?;
        let outcome = self.single_checked(st)?;
        match &outcome {
            SqlOutcome::Job(spec) | SqlOutcome::Query(spec) => check_planned(spec, &limits, st.start())?,
            _ => {}
        }
        Ok(outcome)
    }

    fn single_checked(&mut self, st: &StatementTokens) -> Result<SqlOutcome, SqlError> {
        reject_unsupported_tokens(st)?;
        reject_hints_outside_queries(st)?;
        if st.starts_with(&["CREATE", "TABLE"]) || st.starts_with(&["CREATE", "TEMPORARY", "TABLE"]) {
            return self.create_table(st);
        }
        if st.starts_with(&["SET"]) {
            return self.set(st);
        }
        if st.starts_with(&["RESET"]) {
            return self.reset(st);
        }
        if st.starts_with(&["EXPLAIN"]) {
            return self.explain_statement(st);
        }
        if st.starts_with(&["SHOW"]) {
            return self.show(st);
        }
        if st.starts_with(&["DESCRIBE"]) || st.starts_with(&["DESC"]) {
            let name = st.tokens.get(1).map(|t| match &t.token {
                Token::Word(w) => w.value.clone(),
                other => other.to_string(),
            });
            let name = name.ok_or_else(|| SqlError::Parse { at: st.end(), message: "expected a table name, found end of statement".into() })?;
            return Ok(SqlOutcome::Table(describe(&self.catalog, &self.config, &name, Some(st.start()))?));
        }
        for (words, feature) in [
            (&["USE"][..], "USE (one built-in catalog and database)"),
            (&["ALTER"][..], "ALTER"),
            (&["CREATE", "FUNCTION"][..], "CREATE FUNCTION"),
            (&["CREATE", "TEMPORARY", "FUNCTION"][..], "CREATE FUNCTION"),
            (&["CREATE", "CATALOG"][..], "CREATE CATALOG"),
            (&["CREATE", "DATABASE"][..], "CREATE DATABASE"),
            (&["ADD", "JAR"][..], "ADD JAR"),
            (&["LOAD", "MODULE"][..], "LOAD MODULE"),
        ] {
            if st.starts_with(words) {
                return Err(SqlError::Unsupported { feature: feature.into(), at: Some(st.start()) });
            }
        }
        let hints = TableHints::read(&st.table_hints)?;
        match parse_statement(st)? {
            Statement::Query(q) => Ok(SqlOutcome::Query(plan_query(&self.catalog, &self.config, hints, &self.paths, &q)?.spec)),
            Statement::Insert(ins) => Ok(SqlOutcome::Job(plan_inserts(&self.catalog, &self.config, hints, &self.paths, &[&ins])?.spec)),
            Statement::CreateView(v) => self.create_view(&v, hints),
            Statement::Drop { object_type, if_exists, names, .. } => self.drop(object_type, if_exists, &names),
            other => {
                let text = other.to_string();
                let head: String = text.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
                Err(SqlError::Unsupported { feature: format!("statement {head}"), at: Some(st.start()) })
            }
        }
    }

    /// Plans an INSERT or a query (for EXPLAIN).
    pub(super) fn plan_dml(&self, st: &StatementTokens) -> Result<PlannedJob, SqlError> {
        let hints = TableHints::read(&st.table_hints)?;
        match parse_statement(st)? {
            Statement::Query(q) => plan_query(&self.catalog, &self.config, hints, &self.paths, &q),
            Statement::Insert(ins) => plan_inserts(&self.catalog, &self.config, hints, &self.paths, &[&ins]),
            _ => Err(SqlError::Unsupported { feature: "EXPLAIN of this statement (only queries and INSERT)".into(), at: Some(st.start()) }),
        }
    }

    fn statement_set(&self, statements: &[StatementTokens]) -> Result<PlannedJob, SqlError> {
        let mut inserts = Vec::new();
        for st in statements {
            reject_unsupported_tokens(st)?;
            match parse_statement(st)? {
                Statement::Insert(ins) => inserts.push(ins),
                _ => return Err(SqlError::Invalid { message: "a statement set may contain only INSERT statements".into(), at: Some(st.start()) }),
            }
        }
        if inserts.is_empty() {
            return Err(SqlError::invalid("the statement set is empty"));
        }
        let refs: Vec<&ast::Insert> = inserts.iter().collect();
        let hints = TableHints::read(statements.iter().flat_map(|st| &st.table_hints))?;
        plan_inserts(&self.catalog, &self.config, hints, &self.paths, &refs)
    }

    fn create_table(&mut self, st: &StatementTokens) -> Result<SqlOutcome, SqlError> {
        let mut created = parse_create_table(st)?;
        let name = created.table.name.clone();
        if self.catalog.contains(&name) {
            if created.if_not_exists {
                return Ok(SqlOutcome::Done(format!("table {name} already exists")));
            }
            return Err(SqlError::AlreadyExists { kind: "table", name });
        }
        let table = &mut created.table;
        self.paths.apply(&name, &table.connector, &mut table.options, st.start())?;
        self.catalog.put_table(created.table);
        Ok(SqlOutcome::Done(format!("table {name} created")))
    }

    fn create_view(&mut self, v: &ast::CreateView, hints: TableHints) -> Result<SqlOutcome, SqlError> {
        if v.materialized || !v.columns.is_empty() {
            return Err(SqlError::unsupported("materialized views and view column lists"));
        }
        let Some(ident) = v.name.0.last().and_then(|p| p.as_ident()) else {
            return Err(SqlError::invalid(format!("bad view name {}", v.name)));
        };
        let name = ident.value.clone();
        if self.catalog.contains(&name) && !v.or_replace {
            if v.if_not_exists {
                return Ok(SqlOutcome::Done(format!("view {name} already exists")));
            }
            return Err(SqlError::AlreadyExists { kind: "view", name });
        }
        let planned = plan_query(&self.catalog, &self.config, hints.fresh(), &self.paths, &v.query)?;
        let schema = planned
            .spec
            .nodes
            .iter()
            .rev()
            .find_map(|n| match n {
                crate::plan::Node::Sink(s) => planned.schemas.get(&s.input).cloned(),
                _ => None,
            })
            .unwrap_or_default();
        self.catalog.put_view(ViewDef { name: name.clone(), query: (*v.query).clone(), schema, hints });
        Ok(SqlOutcome::Done(format!("view {name} created")))
    }

    fn drop(&mut self, kind: ObjectType, if_exists: bool, names: &[ast::ObjectName]) -> Result<SqlOutcome, SqlError> {
        let mut dropped = Vec::new();
        for n in names {
            let Some(ident) = n.0.last().and_then(|p| p.as_ident()) else { continue };
            let name = ident.value.clone();
            let gone = match kind {
                ObjectType::Table => self.catalog.drop_table(&name),
                ObjectType::View => self.catalog.drop_view(&name),
                other => return Err(SqlError::unsupported(format!("DROP {other}"))),
            };
            if !gone && !if_exists {
                return Err(SqlError::TableNotFound { name, suggestion: self.catalog.closest_name(&ident.value), at: Some(position(ident.span.start)) });
            }
            dropped.push(name);
        }
        Ok(SqlOutcome::Done(format!("dropped {}", dropped.join(", "))))
    }

    fn set(&mut self, st: &StatementTokens) -> Result<SqlOutcome, SqlError> {
        if st.tokens.len() == 1 {
            let rows = self.config.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect();
            return Ok(SqlOutcome::Table(ResultTable { columns: vec!["key".into(), "value".into()], rows }));
        }
        let text = |i: usize| match st.tokens.get(i).map(|t| &t.token) {
            Some(Token::SingleQuotedString(s)) => Some(s.clone()),
            Some(Token::Number(n, _)) => Some(n.clone()),
            Some(Token::Word(w)) => Some(w.value.clone()),
            _ => None,
        };
        let (Some(key), Some(Token::Eq), Some(value), 4) = (text(1), st.tokens.get(2).map(|t| &t.token), text(3), st.tokens.len()) else {
            return Err(SqlError::Parse { at: st.start(), message: "expected SET 'key' = 'value'".into() });
        };
        let mut next = self.config.clone();
        next.insert(key.clone(), value.clone());
        job_config(&next, &SpecPath::default().field("config"))
            .and_then(|_| self.limits.with_config(&next, &SpecPath::default().field("config")))
            .map_err(|e| e.message)
            .and_then(|_| if key == DYNAMIC_OPTIONS_CONFIG { check_dynamic_options_setting(&value) } else { Ok(()) })
            .map_err(|message| SqlError::Invalid { message: format!("SET '{key}': {message}"), at: Some(st.start()) })?;
        self.config = next;
        Ok(SqlOutcome::Done(format!("set {key} = {value}")))
    }

    fn reset(&mut self, st: &StatementTokens) -> Result<SqlOutcome, SqlError> {
        match st.tokens.get(1).map(|t| &t.token) {
            None => {
                self.config.clear();
                Ok(SqlOutcome::Done("all settings reset".into()))
            }
            Some(Token::SingleQuotedString(k)) if st.tokens.len() == 2 => {
                self.config.remove(k);
                Ok(SqlOutcome::Done(format!("reset {k}")))
            }
            _ => Err(SqlError::Parse { at: st.start(), message: "expected RESET or RESET 'key'".into() }),
        }
    }

    fn show(&self, st: &StatementTokens) -> Result<SqlOutcome, SqlError> {
        let (header, names) = if st.starts_with(&["SHOW", "TABLES"]) && st.tokens.len() == 2 {
            let mut all = self.catalog.table_names();
            all.extend(self.catalog.view_names());
            all.sort();
            ("table name", all)
        } else if st.starts_with(&["SHOW", "VIEWS"]) && st.tokens.len() == 2 {
            ("view name", self.catalog.view_names())
        } else {
            let what = st.word(1).unwrap_or_default();
            return Err(SqlError::Unsupported { feature: format!("SHOW {what} (supported: SHOW TABLES, SHOW VIEWS)"), at: Some(st.start()) });
        };
        Ok(SqlOutcome::Table(ResultTable { columns: vec![header.into()], rows: names.into_iter().map(|n| vec![n]).collect() }))
    }
}

/// Holds a planned job to the limits that the token checks cannot see: its number of nodes,
/// and the JSON nesting of its spec (which must read back as a JSON spec under the same limits).
fn check_planned(spec: &JobSpec, limits: &Limits, at: SqlPosition) -> Result<(), SqlError> {
    let max_nodes = limits.max_plan_nodes;
    if spec.nodes.len() > max_nodes {
        return Err(SqlError::LimitExceeded {
            message: format!("the statement plans into {} nodes, more than {max_nodes} (the limit '{}')", spec.nodes.len(), crate::plan::MAX_PLAN_NODES),
            at: Some(at),
        });
    }
    let text = serde_json::to_string(spec).map_err(|e| SqlError::invalid(format!("cannot encode the planned job: {e}")))?;
    let max_depth = limits.max_json_depth();
    if crate::plan::json_depth(&text, max_depth).is_err() {
        return Err(SqlError::LimitExceeded {
            message: format!(
                "the planned job's expressions nest deeper than its JSON spec may ({max_depth} levels; the limit '{}')",
                crate::plan::MAX_EXPRESSION_DEPTH
            ),
            at: Some(at),
        });
    }
    Ok(())
}

/// Parses one statement with `sqlparser`, requiring it to end where the tokens end.
fn parse_statement(st: &StatementTokens) -> Result<Statement, SqlError> {
    let dialect = FlinkDialect;
    let mut tokens = st.tokens.clone();
    super::window::strip_tvf_table_keyword(&mut tokens);
    let mut parser = Parser::new(&dialect).with_tokens_with_locations(tokens);
    let statement = parser.parse_statement().map_err(|e| parse_error(e, st.end()))?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        let found = super::script::bounded(&next.token.to_string());
        return Err(SqlError::Parse { at: position(next.span.start), message: format!("expected end of statement, found \"{found}\"") });
    }
    Ok(statement)
}

/// Fails on a `/*+ .. */` in a statement that reads no table by name: DDL but CREATE VIEW,
/// SET, SHOW and the like (a query, INSERT, EXPLAIN or CREATE VIEW checks its own hints).
fn reject_hints_outside_queries(st: &StatementTokens) -> Result<(), SqlError> {
    let Some(hint) = st.table_hints.first() else { return Ok(()) };
    let head = st.word(0).unwrap_or_default();
    let view = head == "CREATE" && (1..5).any(|i| st.word(i).as_deref() == Some("VIEW"));
    let reads_tables = !["CREATE", "SET", "RESET", "SHOW", "DESCRIBE", "DESC", "USE", "ALTER", "ADD", "LOAD", "DROP"].contains(&head.as_str());
    if view || reads_tables { Ok(()) } else { Err(super::script::misplaced_hint(hint.at.clone())) }
}

/// Flink features recognised by their tokens before parsing (the parser would reject some of
/// them with a confusing message): MATCH_RECOGNIZE, temporal joins.
fn reject_unsupported_tokens(st: &StatementTokens) -> Result<(), SqlError> {
    for (i, t) in st.tokens.iter().enumerate() {
        let Token::Word(w) = &t.token else { continue };
        if w.quote_style.is_some() {
            continue;
        }
        let upper = w.value.to_ascii_uppercase();
        let at = Some(position(t.span.start));
        if upper == "MATCH_RECOGNIZE" {
            return Err(SqlError::Unsupported { feature: "MATCH_RECOGNIZE".into(), at });
        }
        if upper == "FOR" && st.word(i + 1).as_deref() == Some("SYSTEM_TIME") {
            return Err(SqlError::Unsupported { feature: "temporal join FOR SYSTEM_TIME AS OF".into(), at });
        }
    }
    Ok(())
}
