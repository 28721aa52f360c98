//! Building one job's node list: readable ids, each node checked by the plan validator as it
//! is added (which also tells the planner every node's output schema and types), sources
//! shared between all references to the same table.

use std::collections::{BTreeMap, HashMap};

use crate::SpecPath;
use crate::expr::Expr;
use crate::plan::{FilterNode, JobSpec, NamedExpr, Node, PlanValidator, ProjectNode, SourceNode, job_config};
use crate::types::Schema;

use super::catalog::{Catalog, ColumnKind, TableDef};
use super::error::SqlError;
use super::expr::Translator;
use super::scope::Relation;
use super::table_hints::{ConnectorOptions, OptionPaths, TableHint, TableHints, at_hint, hinted_options};

/// A planned job together with every node's output schema (for EXPLAIN and DESCRIBE).
#[derive(Clone, Debug)]
pub struct PlannedJob {
    /// The job spec.
    pub spec: JobSpec,
    /// Output schema of each node, by id.
    pub schemas: BTreeMap<String, Schema>,
}

/// Accumulates the nodes of one job.
pub struct JobBuilder<'c> {
    /// The catalog the statements read.
    pub catalog: &'c Catalog,
    config: BTreeMap<String, String>,
    validator: PlanValidator,
    nodes: Vec<Node>,
    schemas: BTreeMap<String, Schema>,
    taken: Vec<String>,
    counter: usize,
    sources: HashMap<String, Relation>,
    /// The table hints of the statement (or view body) being planned.
    hints: TableHints,
    /// How hinted path options are resolved.
    paths: OptionPaths,
}

impl<'c> JobBuilder<'c> {
    /// A builder for a job with these settings; `reserved` ids are kept free (e.g. `result`).
    pub fn new(catalog: &'c Catalog, config: &BTreeMap<String, String>, reserved: &[&str]) -> Result<JobBuilder<'c>, SqlError> {
        let mut job = job_config(config, &SpecPath::default().field("config")).map_err(|e| SqlError::invalid(format!("bad setting: {}", e)))?;
        job.bind.functions = catalog.functions().clone();
        Ok(JobBuilder {
            catalog,
            config: config.clone(),
            validator: PlanValidator::new(job),
            nodes: Vec::new(),
            schemas: BTreeMap::new(),
            taken: reserved.iter().map(|s| s.to_string()).collect(),
            counter: 0,
            sources: HashMap::new(),
            hints: TableHints::default(),
            paths: OptionPaths::default(),
        })
    }

    /// The builder with the statement's table hints, whose path options `paths` resolves.
    pub fn with_hints(mut self, hints: TableHints, paths: OptionPaths) -> JobBuilder<'c> {
        self.hints = hints;
        self.paths = paths;
        self
    }

    /// The table hint written right after `name`, if any (taken: see [`JobBuilder::finish`]).
    pub fn take_hint(&mut self, name: &sqlparser::ast::Ident) -> Option<TableHint> {
        self.hints.take(name)
    }

    /// Puts `hints` in force (a view body's, while it is planned) and returns those it replaces.
    pub fn swap_hints(&mut self, hints: TableHints) -> TableHints {
        std::mem::replace(&mut self.hints, hints)
    }

    /// `table`'s connector and options as one reference reads or writes it: with the options
    /// of `hint` (the table hint written after it) over the WITH options, their paths resolved
    /// as the session resolves CREATE TABLE's.
    pub fn reference_options(&self, table: &TableDef, hint: Option<&TableHint>) -> Result<ConnectorOptions, SqlError> {
        if let Some(hint) = hint
            && let Some(mut hinted) = hinted_options(&table.connector, &table.options, hint, &self.config)?
        {
            self.paths.apply(&table.name, &hinted.connector, &mut hinted.options, hint.at.clone())?;
            return Ok(hinted);
        }
        Ok(ConnectorOptions { connector: table.connector.clone(), options: table.options.clone() })
    }

    /// [`JobBuilder::add`] for a node whose options a hint gave: an error about them names the
    /// hint's place.
    pub fn add_hinted(&mut self, node: Node, hint: Option<&TableHint>) -> Result<Schema, SqlError> {
        self.add(node).map_err(|e| at_hint(e, hint))
    }

    /// The expression settings of the job (time zone, user functions).
    pub fn bind_context(&self) -> &crate::expr::BindContext {
        self.validator.bind_context()
    }

    /// A fresh id `prefix_N`.
    pub fn fresh_id(&mut self, prefix: &str) -> String {
        loop {
            self.counter += 1;
            let id = format!("{prefix}_{}", self.counter);
            if !self.taken.contains(&id) {
                self.taken.push(id.clone());
                return id;
            }
        }
    }

    /// `wanted` as an id if it is free (after replacing characters ids should not have),
    /// otherwise `wanted_N`.
    pub fn named_id(&mut self, wanted: &str) -> String {
        let clean: String = wanted.chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '_' }).collect();
        let clean = if clean.is_empty() { "node".to_string() } else { clean };
        if self.taken.contains(&clean) {
            self.fresh_id(&clean)
        } else {
            self.taken.push(clean.clone());
            clean
        }
    }

    /// Validates `node` against the nodes so far, keeps it, and returns its output schema.
    pub fn add(&mut self, node: Node) -> Result<Schema, SqlError> {
        let id = node.id().to_string();
        if !self.taken.contains(&id) {
            self.taken.push(id.clone());
        }
        let schema = self.validator.add_node(node.clone())?.clone();
        self.nodes.push(node);
        self.schemas.insert(id, schema.clone());
        Ok(schema)
    }

    /// The event-time column of node `id` (a source's watermark column, passed on unchanged)
    /// and whether the node only ever inserts rows.
    pub fn event_time(&self, id: &str) -> Option<(usize, bool)> {
        let node = self.validator.node(id)?;
        Some((node.time.rowtime?, node.append_only))
    }

    /// A project node over `input` with these columns; returns its relation (unqualified).
    pub fn project(&mut self, input: &Relation, columns: Vec<NamedExpr>) -> Result<Relation, SqlError> {
        let id = self.fresh_id("project");
        let schema = self.add(Node::Project(ProjectNode { id: id.clone(), input: input.node.clone(), columns }))?;
        Ok(Relation::from_schema(&id, &schema, None))
    }

    /// A filter node over `input`; the relation keeps its names.
    pub fn filter(&mut self, input: Relation, predicate: Expr) -> Result<Relation, SqlError> {
        let id = self.fresh_id("filter");
        self.add(Node::Filter(FilterNode { id: id.clone(), input: input.node.clone(), predicate }))?;
        Ok(input.moved_to(&id))
    }

    /// Keeps only `input`'s columns from `rel` (whose first columns they are), as `input` named
    /// them; used after semi joins.
    pub fn restore(&mut self, rel: &Relation, input: &Relation) -> Result<Relation, SqlError> {
        let columns = input.columns.iter().zip(&rel.columns).map(|(orig, now)| NamedExpr { name: orig.field.clone(), expr: Expr::col(&now.field) }).collect();
        let projected = self.project(rel, columns)?;
        let mut out = input.clone();
        out.node = projected.node;
        Ok(out)
    }

    /// The relation reading `table` (with the options of `hint`, a table hint written after
    /// this reference), shared by every reference in this job with the same options. Columns
    /// are unqualified. Computed columns are evaluated by the source itself (after its
    /// physical columns), so that its watermark may name one; a project restores the declared
    /// order when a computed column comes before a physical one.
    pub fn table(&mut self, table: &TableDef, hint: Option<&TableHint>) -> Result<Relation, SqlError> {
        let ConnectorOptions { connector, options } = self.reference_options(table, hint)?;
        // A reference with other options than the table's is a source of its own (a name
        // cannot hold NUL: such keys never meet a plain table's).
        let key =
            if connector == table.connector && options == table.options { table.name.clone() } else { format!("{}\0{connector}\0{options:?}", table.name) };
        if let Some(rel) = self.sources.get(&key) {
            return Ok(rel.clone());
        }
        let id = self.named_id(&table.name);
        let physical = table.physical_schema();
        let physical_rel = Relation::from_schema(&id, &physical, None);
        let mut computed = Vec::new();
        for c in &table.columns {
            if let ColumnKind::Computed(e) = &c.kind {
                computed.push(NamedExpr { name: c.name.clone(), expr: Translator::new(&physical_rel).expr(e)? });
            }
        }
        let watermark = super::window::table_watermark(table, &format!("connector '{connector}'"))?;
        let source = SourceNode { id: id.clone(), connector, schema: physical.fields.clone(), options, computed, watermark };
        let schema = self.add_hinted(Node::Source(source), hint)?;
        let mut rel = Relation::from_schema(&id, &schema, None);
        let declared: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        if schema.fields.iter().map(|f| f.name.as_str()).ne(declared.iter().copied()) {
            let columns = declared.iter().map(|name| NamedExpr { name: name.to_string(), expr: Expr::col(name) }).collect();
            let pid = self.named_id(&format!("{id}_columns"));
            let schema = self.add(Node::Project(ProjectNode { id: pid.clone(), input: id, columns }))?;
            rel = Relation::from_schema(&pid, &schema, None);
        }
        self.sources.insert(key, rel.clone());
        Ok(rel)
    }

    /// The relation shared under `key` in this job (a table's source, a plan view), if built.
    pub(crate) fn shared_relation(&self, key: &str) -> Option<Relation> {
        self.sources.get(key).cloned()
    }

    /// Shares `rel` under `key` for later references in this job.
    pub(crate) fn share_relation(&mut self, key: &str, rel: Relation) {
        self.sources.insert(key.to_string(), rel);
    }

    /// Ends the job: checks that every table hint of the statement followed a table name and
    /// that the job has a sink, and returns the spec and schemas.
    pub fn finish(self, name: Option<String>) -> Result<PlannedJob, SqlError> {
        self.hints.check_all_taken()?;
        self.validator.finish()?;
        Ok(PlannedJob { spec: JobSpec { name, config: self.config, nodes: self.nodes }, schemas: self.schemas })
    }
}
