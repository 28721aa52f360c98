//! Checking a job spec and deriving every node's output schema, before anything runs.
//!
//! Each error names the JSON path of the offending field (`nodes[3].group_by[0]: no column "x"`).

use std::collections::HashMap;
use std::sync::Arc;

use crate::connectors::{ComputedColumns, SourceFactory, ValuesSource, create_sink, create_source};
use crate::error::{PlanError, SpecPath};
use crate::expr::{BindContext, BoundExpr, Expr, ExprError, WatermarkScope, bind, common_type};
use crate::types::{DataType, Field, Row, Schema, value_from_json};
use crate::udf::UserFunctions;

use super::spec::*;
use super::time::{check_window, event_time_attribute, source_watermark, time_columns, window_aggregate, window_join, window_top_n};
use super::typed::*;

/// Builds a [`ValidatedPlan`] one node at a time, so that front ends (SQL, Python) can learn
/// each node's output schema as they plan.
pub struct PlanValidator {
    config: JobConfig,
    nodes: Vec<PlanNode>,
    by_id: HashMap<String, usize>,
}

/// Validates a whole job spec.
pub fn validate(spec: &JobSpec) -> Result<ValidatedPlan, PlanError> {
    validate_with_functions(spec, &UserFunctions::default())
}

/// Validates a whole job spec whose expressions may call the user functions `functions`
/// (Python UDFs and UDTFs registered with the SDK).
pub fn validate_with_functions(spec: &JobSpec, functions: &UserFunctions) -> Result<ValidatedPlan, PlanError> {
    let root = SpecPath::default();
    let mut config = job_config(&spec.config, &root.field("config"))?;
    config.bind.functions = functions.clone();
    let limits = config.limits.clone();
    super::with_stack(&limits, || validate_nodes(spec, config))
}

fn validate_nodes(spec: &JobSpec, config: JobConfig) -> Result<ValidatedPlan, PlanError> {
    let root = SpecPath::default();
    let mut validator = PlanValidator::new(config);
    for (i, node) in spec.nodes.iter().enumerate() {
        validator.add_node_at(node.clone(), &root.field("nodes").index(i))?;
    }
    let mut plan = validator.finish()?;
    plan.name = spec.name.clone();
    Ok(plan)
}

/// Reads the settings a job understands from its `config` map.
pub fn job_config(raw: &std::collections::BTreeMap<String, String>, path: &SpecPath) -> Result<JobConfig, PlanError> {
    let limits = super::Limits::default().with_config(raw, path)?;
    let mut config = JobConfig { raw: raw.clone(), limits, ..JobConfig::default() };
    for (key, value) in raw {
        let at = path.field(key);
        match key.as_str() {
            "execution.runtime-mode" => config.mode = Some(value.parse().map_err(|message: String| PlanError::new(&at, message))?),
            "parallelism.default" => {
                let n: usize = value
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| PlanError::new(&at, format!("expected a positive number of workers, found '{value}'")))?;
                config.parallelism = Some(n);
            }
            "pipeline.max-parallelism" => {
                let n: u32 =
                    value.parse().ok().filter(|n| (1..=crate::job::MAX_KEY_GROUPS).contains(n)).ok_or_else(|| {
                        PlanError::new(&at, format!("expected a number of key groups from 1 to {}, found '{value}'", crate::job::MAX_KEY_GROUPS))
                    })?;
                config.max_parallelism = Some(n);
            }
            "table.local-time-zone" => config.bind.time_zone = Some(value.clone()),
            "state.backend.type" | "state.backend" => {
                let dir = match &config.state_backend {
                    StateBackendSetting::RocksDb { dir } => dir.clone(),
                    StateBackendSetting::Memory => None,
                };
                config.state_backend = match value.to_ascii_lowercase().as_str() {
                    "hashmap" | "memory" | "heap" => StateBackendSetting::Memory,
                    "rocksdb" => StateBackendSetting::RocksDb { dir },
                    _ => return Err(PlanError::new(&at, format!("expected 'hashmap' or 'rocksdb', found '{value}'"))),
                };
            }
            IDLE_TIMEOUT_CONFIG => config.source_idle_timeout_ms = idle_timeout_ms(value).map_err(|m| PlanError::new(&at, m))?,
            STATE_TTL_CONFIG => {
                let d = crate::connectors::options::parse_duration_text(value)
                    .map_err(|what| PlanError::new(&at, format!("invalid state time-to-live: expected {what}")))?;
                config.state_ttl_ms = (!d.is_zero()).then(|| u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1));
            }
            ALLOW_LATENESS_CONFIG => {
                let d = crate::connectors::options::parse_duration_text(value)
                    .map_err(|what| PlanError::new(&at, format!("invalid allowed lateness: expected {what}")))?;
                config.allowed_lateness_ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
            }
            _ => {}
        }
    }
    (config.checkpointing, config.restore_from) = super::checkpointing::checkpoint_settings(raw, path)?;
    config.restart = super::restart::restart_strategy(raw, path, config.checkpointing.is_some())?;
    config.reuse = super::reuse::reuse_settings(raw, path)?;
    if let (Some(dir), StateBackendSetting::RocksDb { dir: slot }) = (raw.get("state.backend.rocksdb.localdir"), &mut config.state_backend) {
        *slot = Some(std::path::PathBuf::from(dir));
    }
    Ok(config)
}

/// The source option that makes a quiet event-time split stop holding back the watermark.
pub const IDLE_TIMEOUT_OPTION: &str = "scan.watermark.idle-timeout";
/// The job setting giving every event-time source an idle timeout.
pub const IDLE_TIMEOUT_CONFIG: &str = "table.exec.source.idle-timeout";

/// The columns of a join of `left` and `right`: a side padded with NULLs when unmatched (the
/// other side of an outer join) has nullable columns.
pub(super) fn joined_schema(join_type: JoinType, left: &Schema, right: &Schema) -> Schema {
    let nullable = |s: &Schema, yes: bool| Schema::new(s.fields.iter().map(|f| f.clone().with_nullable(f.nullable || yes)).collect());
    let (l_null, r_null) = match join_type {
        JoinType::Inner => (false, false),
        JoinType::Left => (false, true),
        JoinType::Right => (true, false),
        JoinType::Full => (true, true),
    };
    nullable(left, l_null).join(&nullable(right, r_null))
}

/// The job setting after which the state of an idle key is dropped (Flink's
/// `table.exec.state.ttl`; `0` keeps it for ever).
pub const STATE_TTL_CONFIG: &str = "table.exec.state.ttl";

/// The job setting that keeps event-time windows open for late rows after they fire (Flink's
/// `table.exec.emit.allow-lateness`): late rows within it re-fire the window's result.
pub const ALLOW_LATENESS_CONFIG: &str = "table.exec.emit.allow-lateness";

/// An idle timeout in milliseconds (`'5 s'`, `'500 ms'`); `0` turns it off, as in Flink.
fn idle_timeout_ms(text: &str) -> Result<Option<u64>, String> {
    let d = crate::connectors::options::parse_duration_text(text).map_err(|what| format!("invalid idle timeout: expected {what}"))?;
    Ok((!d.is_zero()).then(|| d.as_millis().max(1) as u64))
}

/// A bound condition, checked to be BOOLEAN (or NULL).
fn predicate_type(bound: BoundExpr, path: &SpecPath) -> Result<BoundExpr, PlanError> {
    match bound.data_type() {
        DataType::Boolean | DataType::Null => Ok(bound),
        other => Err(PlanError::new(path, format!("condition must be BOOLEAN, found {other}"))),
    }
}

pub(super) fn expr_error(path: &SpecPath, e: ExprError) -> PlanError {
    let full = if e.path.is_empty() { path.clone() } else { SpecPath(format!("{}.{}", path.0, e.path)) };
    PlanError::new(&full, e.message)
}

impl PlanValidator {
    /// A validator for a job with these settings.
    pub fn new(config: JobConfig) -> PlanValidator {
        PlanValidator { config, nodes: Vec::new(), by_id: HashMap::new() }
    }

    /// The expression settings in force.
    pub fn bind_context(&self) -> &BindContext {
        &self.config.bind
    }

    /// Checks `node` (its inputs must have been added before) and returns its output schema.
    /// Errors name `nodes[i]` where `i` is the node's position.
    pub fn add_node(&mut self, node: Node) -> Result<&Schema, PlanError> {
        let path = SpecPath::default().field("nodes").index(self.nodes.len());
        self.add_node_at(node, &path)
    }

    /// The output schema of an added node.
    pub fn schema_of(&self, id: &str) -> Option<&Schema> {
        self.by_id.get(id).map(|&i| &self.nodes[i].schema)
    }

    /// An added node.
    pub fn node(&self, id: &str) -> Option<&PlanNode> {
        self.by_id.get(id).map(|&i| &self.nodes[i])
    }

    /// The validated plan; fails when it has no sink.
    pub fn finish(self) -> Result<ValidatedPlan, PlanError> {
        if !self.nodes.iter().any(|n| matches!(n.op, PlanOp::Sink { .. })) {
            return Err(PlanError::new(&SpecPath::default().field("nodes"), "the job has no sink: add a node of kind \"sink\""));
        }
        Ok(ValidatedPlan { name: None, config: self.config, nodes: self.nodes })
    }

    fn add_node_at(&mut self, node: Node, path: &SpecPath) -> Result<&Schema, PlanError> {
        let id = node.id().to_string();
        if id.is_empty() {
            return Err(PlanError::new(&path.field("id"), "node id must not be empty"));
        }
        if self.by_id.contains_key(&id) {
            return Err(PlanError::new(&path.field("id"), format!("duplicate node id \"{id}\"")));
        }
        let max_nodes = self.config.limits.max_plan_nodes;
        if self.nodes.len() >= max_nodes {
            return Err(PlanError::new(path, format!("the plan has more than {max_nodes} nodes (the limit '{}')", super::MAX_PLAN_NODES)));
        }
        let mut inputs = Vec::new();
        for (k, (field, input)) in node.inputs().into_iter().enumerate() {
            let at = if field == "inputs" { path.field(field).index(k) } else { path.field(field) };
            inputs.push(self.input_index(input, &at)?);
        }
        let index = self.nodes.len();
        let built = self.check(&node, &inputs, path)?;
        let inputs_append_only = inputs.iter().all(|&i| self.nodes[i].append_only);
        let append_only = match &built.op {
            PlanOp::Source { .. } => true,
            PlanOp::Filter { .. } | PlanOp::Project { .. } | PlanOp::FlatMap { .. } | PlanOp::Union { .. } | PlanOp::Sink { .. } => inputs_append_only,
            PlanOp::Join { join_type: JoinType::Inner, .. } | PlanOp::Window { .. } => inputs_append_only,
            PlanOp::Over { .. }
            | PlanOp::IntervalJoin { .. }
            | PlanOp::TopN { window_end: Some(_), .. }
            | PlanOp::Process { .. }
            | PlanOp::StreamWindow { .. }
            | PlanOp::Deduplicate { first_arrival: true, .. } => true,
            PlanOp::Watermark { .. } => inputs_append_only,
            // A window aggregate emits each window's rows once (see `ops::close_windows`),
            // unless late rows may re-fire it.
            PlanOp::Aggregate { window: Some(w), .. } => w.event_time && w.lateness_ms == 0,
            _ => false,
        };
        let time = time_columns(&built.op, &built.schema, &inputs.iter().map(|&i| &self.nodes[i]).collect::<Vec<_>>());
        let own_state_ttl_ms = super::typed::own_state_ttl_ms(&node);
        self.by_id.insert(id.clone(), index);
        self.nodes.push(PlanNode {
            id,
            index,
            inputs,
            schema: built.schema,
            op: built.op,
            unique_key: built.unique_key,
            ordering: built.ordering,
            append_only,
            time,
            own_state_ttl_ms,
            reused_as: None,
        });
        Ok(&self.nodes[index].schema)
    }

    fn input_index(&self, id: &str, path: &SpecPath) -> Result<usize, PlanError> {
        match self.by_id.get(id) {
            Some(&i) if matches!(self.nodes[i].op, PlanOp::Sink { .. }) => Err(PlanError::new(path, format!("node \"{id}\" is a sink and produces no rows"))),
            Some(&i) => Ok(i),
            None => {
                let known: Vec<&str> = self.nodes.iter().map(|n| n.id.as_str()).collect();
                Err(PlanError::new(path, format!("no node \"{id}\" declared before this one (known: {})", known.join(", "))))
            }
        }
    }

    pub(super) fn input(&self, inputs: &[usize], k: usize) -> &PlanNode {
        &self.nodes[inputs[k]]
    }

    pub(super) fn bind(&self, expr: &Expr, schema: &Schema, path: &SpecPath) -> Result<BoundExpr, PlanError> {
        bind(expr, schema, &self.config.bind).map_err(|e| expr_error(path, e))
    }

    /// The expression settings of a Calc (projection or filter) over `input`: there
    /// `CURRENT_WATERMARK` may read `input`'s rowtime attribute.
    fn calc_context(&self, input: &PlanNode) -> BindContext {
        let rowtime = event_time_attribute(&self.nodes, input);
        BindContext { watermark: WatermarkScope::Calc { rowtime }, ..self.config.bind.clone() }
    }

    pub(super) fn bind_all(&self, exprs: &[Expr], schema: &Schema, path: &SpecPath) -> Result<Vec<BoundExpr>, PlanError> {
        exprs.iter().enumerate().map(|(i, e)| self.bind(e, schema, &path.index(i))).collect()
    }

    pub(super) fn bind_predicate(&self, expr: &Expr, schema: &Schema, path: &SpecPath) -> Result<BoundExpr, PlanError> {
        predicate_type(self.bind(expr, schema, path)?, path)
    }

    pub(super) fn bind_sort_keys(&self, keys: &[SortKey], schema: &Schema, path: &SpecPath) -> Result<Vec<BoundSortKey>, PlanError> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| {
                Ok(BoundSortKey {
                    expr: self.bind(&k.expr, schema, &path.index(i).field("expr"))?,
                    descending: k.descending,
                    nulls_first: k.nulls_first.unwrap_or(!k.descending),
                })
            })
            .collect()
    }

    fn check(&self, node: &Node, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        match node {
            Node::Source(n) => self.check_source(n, path),
            Node::Values(n) => check_values(n, path),
            Node::Filter(n) => {
                let input = self.input(inputs, 0);
                let at = path.field("predicate");
                let predicate = bind(&n.predicate, &input.schema, &self.calc_context(input)).map_err(|e| expr_error(&at, e))?;
                let predicate = predicate_type(predicate, &at)?;
                Ok(Checked::keeping(input, PlanOp::Filter { predicate }))
            }
            Node::Project(n) => self.check_project(n, inputs, path),
            Node::FlatMap(n) => self.check_flat_map(n, inputs, path),
            Node::Window(n) => {
                let (schema, op) = check_window(n, self.input(inputs, 0), path)?;
                Ok(Checked { schema, op, unique_key: None, ordering: None })
            }
            Node::Aggregate(n) => self.check_aggregate(n, inputs, path),
            Node::Join(n) => self.check_join(n, inputs, path),
            Node::Over(n) => self.check_over(n, inputs, path),
            Node::SortedOver(n) => self.check_sorted_over(n, inputs, path),
            Node::IntervalJoin(n) => self.check_interval_join(n, inputs, path),
            Node::Distinct(_) => {
                let input = self.input(inputs, 0);
                Ok(Checked { schema: input.schema.clone(), op: PlanOp::Distinct, unique_key: Some((0..input.schema.len()).collect()), ordering: None })
            }
            Node::Union(n) => self.check_union(n, inputs, path),
            Node::TopN(n) => self.check_top_n(n, inputs, path),
            Node::Deduplicate(n) => {
                let input = self.input(inputs, 0);
                if n.key.is_empty() {
                    return Err(PlanError::new(&path.field("key"), "deduplicate needs at least one key column"));
                }
                let key = self.bind_all(&n.key, &input.schema, &path.field("key"))?;
                let order_by = self.bind(&n.order_by, &input.schema, &path.field("order_by"))?;
                let unique_key = key.iter().map(|k| k.as_column()).collect::<Option<Vec<_>>>();
                // Ordered by a processing-time attribute (a rowtime that is not event time),
                // the first row is simply the first to arrive (Flink's proctime deduplication).
                let by_processing_time =
                    order_by.as_column().is_some_and(|c| input.time.rowtime == Some(c)) && event_time_attribute(&self.nodes, input).is_none();
                let first_arrival = n.keep == Keep::First && by_processing_time && input.append_only;
                let op = PlanOp::Deduplicate { key, order_by, keep: n.keep, first_arrival };
                Ok(Checked { schema: input.schema.clone(), op, unique_key, ordering: None })
            }
            Node::Sort(n) => {
                let input = self.input(inputs, 0);
                if n.order_by.is_empty() {
                    return Err(PlanError::new(&path.field("order_by"), "sort needs at least one key"));
                }
                let order_by = self.bind_sort_keys(&n.order_by, &input.schema, &path.field("order_by"))?;
                Ok(Checked {
                    schema: input.schema.clone(),
                    op: PlanOp::Sort { order_by: order_by.clone(), limit: n.limit, offset: n.offset.unwrap_or(0) },
                    unique_key: None,
                    ordering: Some(order_by),
                })
            }
            Node::Watermark(n) => self.check_watermark(n, inputs, path),
            Node::Process(n) => self.check_process(n, inputs, path),
            Node::StreamWindow(n) => self.check_stream_window(n, inputs, path),
            Node::Sink(n) => {
                let input = self.input(inputs, 0);
                let sink = create_sink(&n.connector, &n.options, &input.schema).map_err(|e| {
                    let at = match &e.option {
                        Some(o) => path.field("options").field(o),
                        None => path.field("connector"),
                    };
                    PlanError::new(&at, e.message)
                })?;
                Ok(Checked {
                    schema: input.schema.clone(),
                    op: PlanOp::Sink { connector: n.connector.clone(), options: n.options.clone(), sink },
                    unique_key: input.unique_key.clone(),
                    ordering: input.ordering.clone(),
                })
            }
        }
    }

    fn check_source(&self, n: &SourceNode, path: &SpecPath) -> Result<Checked, PlanError> {
        let schema = check_columns(&n.schema, &path.field("schema"))?;
        // The idle timeout is the engine's, for every connector: not passed to the connector.
        let mut options = n.options.clone();
        let idle_option = options.remove(IDLE_TIMEOUT_OPTION);
        let factory = create_source(&n.connector, &options, &schema).map_err(|e| {
            let at = match &e.option {
                Some(o) => path.field("options").field(o),
                None => path.field("connector"),
            };
            PlanError::new(&at, e.message)
        })?;
        let physical_width = schema.len();
        let (schema, computed) = self.computed_columns(n, schema, path)?;
        let factory: Arc<dyn SourceFactory> =
            if computed.is_empty() { factory } else { Arc::new(ComputedColumns::new(factory, physical_width, &n.id, computed.clone())) };
        let mut watermark = n.watermark.as_ref().map(|w| source_watermark(w, &schema, &computed, &path.field("watermark"))).transpose()?;
        let idle_timeout_ms = match &idle_option {
            Some(text) => {
                let at = path.field("options").field(IDLE_TIMEOUT_OPTION);
                if watermark.is_none() {
                    return Err(PlanError::new(
                        &at,
                        format!("'{IDLE_TIMEOUT_OPTION}' needs an event-time source: declare a watermark (SQL: WATERMARK FOR ..)"),
                    ));
                }
                idle_timeout_ms(text).map_err(|m| PlanError::new(&at, m))?
            }
            None => self.config.source_idle_timeout_ms,
        };
        if let Some(w) = watermark.as_mut() {
            w.idle_timeout_ms = idle_timeout_ms;
        }
        Ok(Checked {
            schema,
            op: PlanOp::Source { connector: n.connector.clone(), factory, watermark, computed, projection: None, options: Some(n.options.clone()) },
            unique_key: None,
            ordering: None,
        })
    }

    /// A source's computed columns, bound against its `physical` columns: the source's schema
    /// with them, and the bound expressions.
    fn computed_columns(&self, n: &SourceNode, physical: Schema, path: &SpecPath) -> Result<(Schema, Vec<BoundExpr>), PlanError> {
        let mut fields = physical.fields.clone();
        let mut exprs = Vec::new();
        for (i, c) in n.computed.iter().enumerate() {
            let at = path.field("computed").index(i);
            if fields.iter().any(|f| f.name == c.name) {
                return Err(PlanError::new(&at.field("name"), format!("duplicate column \"{}\"", c.name)));
            }
            let e = self.bind(&c.expr, &physical, &at.field("expr"))?;
            fields.push(Field::new(c.name.clone(), e.data_type()).with_nullable(e.nullable()));
            exprs.push(e);
        }
        Ok((Schema::new(fields), exprs))
    }

    fn check_project(&self, n: &ProjectNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        let input = self.input(inputs, 0);
        if n.columns.is_empty() {
            return Err(PlanError::new(&path.field("columns"), "a projection needs at least one column"));
        }
        let mut exprs = Vec::new();
        let mut fields = Vec::new();
        let ctx = self.calc_context(input);
        for (i, c) in n.columns.iter().enumerate() {
            let e = bind(&c.expr, &input.schema, &ctx).map_err(|e| expr_error(&path.field("columns").index(i).field("expr"), e))?;
            fields.push(Field::new(c.name.clone(), e.data_type()).with_nullable(e.nullable()));
            exprs.push(e);
        }
        // A key survives a projection when every key column is passed through unchanged.
        let unique_key =
            input.unique_key.as_ref().and_then(|key| key.iter().map(|k| exprs.iter().position(|e| e.as_column() == Some(*k))).collect::<Option<Vec<_>>>());
        Ok(Checked { schema: Schema::new(fields), op: PlanOp::Project { exprs }, unique_key, ordering: None })
    }

    fn check_flat_map(&self, n: &FlatMapNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        let input = self.input(inputs, 0);
        let args = self.bind_all(&n.args, &input.schema, &path.field("args"))?;
        let function = self.config.bind.functions.bind_table_function(&n.function, args).map_err(|e| expr_error(&path.field("function"), e))?;
        let mut produced = function.output_fields();
        if !n.columns.is_empty() {
            if n.columns.len() != produced.len() {
                return Err(PlanError::new(
                    &path.field("columns"),
                    format!("{} produces {} columns, {} names given", n.function, produced.len(), n.columns.len()),
                ));
            }
            for (field, name) in produced.iter_mut().zip(&n.columns) {
                field.name = name.clone();
            }
        }
        if n.outer {
            produced.iter_mut().for_each(|f| f.nullable = true);
        }
        let schema = input.schema.join(&Schema::new(produced));
        Ok(Checked { schema, op: PlanOp::FlatMap { function, outer: n.outer }, unique_key: None, ordering: None })
    }

    fn check_aggregate(&self, n: &AggregateNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        let input = self.input(inputs, 0);
        let mut fields = Vec::new();
        let mut group_by = Vec::new();
        for (i, g) in n.group_by.iter().enumerate() {
            let e = self.bind(&g.expr, &input.schema, &path.field("group_by").index(i).field("expr"))?;
            fields.push(Field::new(g.name.clone(), e.data_type()).with_nullable(e.nullable()));
            group_by.push(e);
        }
        let mut aggregates = Vec::new();
        for (i, a) in n.aggregates.iter().enumerate() {
            let (field, aggregate) = self.bind_aggregate(a, &input.schema, &path.field("aggregates").index(i))?;
            fields.push(field);
            aggregates.push(aggregate);
        }
        let mut user_aggregates = Vec::new();
        for (i, a) in n.user_aggregates.iter().enumerate() {
            let at = path.field("user_aggregates").index(i);
            let bound = self.bind_user_aggregate(a, &input.schema, &at)?;
            fields.push(Field::new(a.name.clone(), bound.output_type));
            user_aggregates.push(bound);
        }
        if aggregates.is_empty() && user_aggregates.is_empty() && group_by.is_empty() {
            return Err(PlanError::new(&path.field("aggregates"), "an aggregate needs group keys or aggregates"));
        }
        let unique_key = Some((0..group_by.len()).collect());
        // Windows close with the watermark only over rows that are never retracted.
        let lateness_ms = self.config.allowed_lateness_ms;
        let window = window_aggregate(input, &group_by).map(|w| WindowAggregate { event_time: w.event_time && input.append_only, lateness_ms, ..w });
        Ok(Checked { schema: Schema::new(fields), op: PlanOp::Aggregate { group_by, aggregates, user_aggregates, window }, unique_key, ordering: None })
    }

    fn bind_user_aggregate(&self, a: &UserAggregateCall, schema: &Schema, at: &SpecPath) -> Result<BoundUserAggregate, PlanError> {
        let Some(function) = self.config.bind.functions.aggregate(&a.function) else {
            return Err(PlanError::new(&at.field("function"), format!("no user aggregate function \"{}\" is registered", a.function)));
        };
        let args = self.bind_all(&a.args, schema, &at.field("args"))?;
        let types: Vec<DataType> = args.iter().map(BoundExpr::data_type).collect();
        let signature = function.signature(&types).map_err(|m| {
            let shown: Vec<String> = types.iter().map(DataType::to_string).collect();
            PlanError::new(&at.field("args"), format!("aggregate function {} {m}, got ({})", a.function, shown.join(", ")))
        })?;
        if signature.params.len() != args.len() {
            let message = format!("aggregate function {} takes {} arguments, got {}", a.function, signature.params.len(), args.len());
            return Err(PlanError::new(&at.field("args"), message));
        }
        let args = args
            .into_iter()
            .zip(&signature.params)
            .enumerate()
            .map(|(i, (e, t))| if e.data_type() == *t { Ok(e) } else { e.coerce_to(*t).map_err(|err| expr_error(&at.field("args").index(i), err)) })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(BoundUserAggregate { function, args, output_type: signature.result })
    }

    /// One aggregate call over rows of `schema`: its output column and its bound form.
    pub(super) fn bind_aggregate(&self, a: &AggregateCall, schema: &Schema, at: &SpecPath) -> Result<(Field, BoundAggregate), PlanError> {
        let arg = match (a.function, a.args.as_slice()) {
            (AggregateFunction::Count, []) => None,
            // ARRAY_AGG keeps NULL elements: its argument goes in wrapped, `ARRAY[x]`, so that
            // only a row a FILTER drops is a NULL (see `accumulate::Pick::Array`).
            (AggregateFunction::ArrayAgg, [arg]) => Some(self.bind(&Expr::call("ARRAY", vec![arg.clone()]), schema, &at.field("args").index(0))?),
            (_, [arg]) => Some(self.bind(arg, schema, &at.field("args").index(0))?),
            (f, args) => return Err(PlanError::new(&at.field("args"), format!("{} takes one argument, found {}", f.sql_name(), args.len()))),
        };
        let filter = match &a.filter {
            Some(f) => Some(self.bind_predicate(f, schema, &at.field("filter"))?),
            None => None,
        };
        let output_type = aggregate_type(a.function, arg.as_ref().map(|e| e.data_type())).map_err(|m| PlanError::new(&at.field("args").index(0), m))?;
        let field = Field::new(a.name.clone(), output_type).with_nullable(a.function != AggregateFunction::Count);
        Ok((field, BoundAggregate { function: a.function, arg, distinct: a.distinct, filter, output_type }))
    }

    /// The aggregates of an OVER node (`aggregates` at `path`) over rows of `schema`: their
    /// output columns and bound forms. FILTER is refused, as Flink's OVER aggregates refuse it;
    /// DISTINCT aggregates each distinct argument value of the frame once.
    pub(super) fn bind_over_aggregates(
        &self,
        calls: &[AggregateCall],
        schema: &Schema,
        path: &SpecPath,
    ) -> Result<(Vec<Field>, Vec<BoundAggregate>), PlanError> {
        let mut fields = Vec::with_capacity(calls.len());
        let mut aggregates = Vec::with_capacity(calls.len());
        for (i, a) in calls.iter().enumerate() {
            let at = path.index(i);
            if a.filter.is_some() {
                return Err(PlanError::new(&at, "unsupported: FILTER in an OVER aggregate"));
            }
            let (field, aggregate) = self.bind_aggregate(a, schema, &at)?;
            fields.push(field);
            aggregates.push(aggregate);
        }
        Ok((fields, aggregates))
    }

    /// Join keys over `left` and `right` (fields `left_keys`/`right_keys` under `path`), paired
    /// and cast to their common types.
    pub(super) fn bind_join_keys(
        &self,
        left_keys: &[Expr],
        right_keys: &[Expr],
        left: &PlanNode,
        right: &PlanNode,
        path: &SpecPath,
    ) -> Result<(Vec<BoundExpr>, Vec<BoundExpr>), PlanError> {
        if left_keys.len() != right_keys.len() {
            return Err(PlanError::new(
                &path.field("right_keys"),
                format!("{} left keys but {} right keys: keys are compared pairwise", left_keys.len(), right_keys.len()),
            ));
        }
        let mut bound = (Vec::new(), Vec::new());
        for (i, (l, r)) in left_keys.iter().zip(right_keys).enumerate() {
            let l = self.bind(l, &left.schema, &path.field("left_keys").index(i))?;
            let r = self.bind(r, &right.schema, &path.field("right_keys").index(i))?;
            let Some(t) = common_type(l.data_type(), r.data_type()) else {
                return Err(PlanError::new(&path.field("right_keys").index(i), format!("cannot compare {} with {}", l.data_type(), r.data_type())));
            };
            bound.0.push(l.cast_to(t).map_err(|e| expr_error(&path.field("left_keys").index(i), e))?);
            bound.1.push(r.cast_to(t).map_err(|e| expr_error(&path.field("right_keys").index(i), e))?);
        }
        Ok(bound)
    }

    fn check_join(&self, n: &JoinNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        let (left, right) = (self.input(inputs, 0), self.input(inputs, 1));
        let (left_keys, right_keys) = self.bind_join_keys(&n.left_keys, &n.right_keys, left, right, path)?;
        let schema = joined_schema(n.join_type, &left.schema, &right.schema);
        let condition = match &n.condition {
            Some(c) => Some(self.bind_predicate(c, &left.schema.join(&right.schema), &path.field("condition"))?),
            None => None,
        };
        Ok(Checked {
            schema,
            op: PlanOp::Join {
                join_type: n.join_type,
                window: window_join(n.join_type, left, right, &left_keys, &right_keys),
                left_keys,
                right_keys,
                condition,
                left_width: left.schema.len(),
                right_width: right.schema.len(),
            },
            unique_key: None,
            ordering: None,
        })
    }

    fn check_union(&self, n: &UnionNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        if inputs.len() < 2 {
            return Err(PlanError::new(&path.field("inputs"), "a union needs at least two inputs"));
        }
        let first = &self.input(inputs, 0).schema;
        let mut types: Vec<DataType> = first.fields.iter().map(|f| f.data_type).collect();
        let mut nullable: Vec<bool> = first.fields.iter().map(|f| f.nullable).collect();
        for (k, &i) in inputs.iter().enumerate().skip(1) {
            let s = &self.nodes[i].schema;
            if s.len() != types.len() {
                return Err(PlanError::new(
                    &path.field("inputs").index(k),
                    format!("input \"{}\" has {} columns but \"{}\" has {}", n.inputs[k], s.len(), n.inputs[0], types.len()),
                ));
            }
            for (c, f) in s.fields.iter().enumerate() {
                types[c] = common_type(types[c], f.data_type).ok_or_else(|| {
                    PlanError::new(
                        &path.field("inputs").index(k),
                        format!("column {} (\"{}\") is {} here but {} in the first input", c + 1, f.name, f.data_type, types[c]),
                    )
                })?;
                nullable[c] |= f.nullable;
            }
        }
        let mut casts = Vec::new();
        for (k, &i) in inputs.iter().enumerate() {
            let s = &self.nodes[i].schema;
            if s.fields.iter().zip(&types).all(|(f, t)| f.data_type == *t) {
                casts.push(None);
                continue;
            }
            let exprs = s
                .fields
                .iter()
                .enumerate()
                .map(|(c, f)| {
                    bind(&Expr::col_at(c), s, &self.config.bind)
                        .and_then(|e| e.cast_to(types[c]))
                        .map_err(|e| PlanError::new(&path.field("inputs").index(k), format!("column \"{}\": {}", f.name, e.message)))
                })
                .collect::<Result<Vec<_>, _>>()?;
            casts.push(Some(exprs));
        }
        let fields = first.fields.iter().enumerate().map(|(c, f)| Field::new(f.name.clone(), types[c]).with_nullable(nullable[c])).collect();
        Ok(Checked { schema: Schema::new(fields), op: PlanOp::Union { casts }, unique_key: None, ordering: None })
    }

    fn check_top_n(&self, n: &TopNNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        let input = self.input(inputs, 0);
        if n.limit == 0 {
            return Err(PlanError::new(&path.field("limit"), "limit must be at least 1"));
        }
        if n.rank_start == 0 || n.rank_start > n.limit {
            return Err(PlanError::new(&path.field("rank_start"), format!("rank_start must be between 1 and limit ({})", n.limit)));
        }
        if n.order_by.is_empty() {
            return Err(PlanError::new(&path.field("order_by"), "top_n needs an order"));
        }
        let partition_by = self.bind_all(&n.partition_by, &input.schema, &path.field("partition_by"))?;
        let order_by = self.bind_sort_keys(&n.order_by, &input.schema, &path.field("order_by"))?;
        let mut schema = input.schema.clone();
        let mut unique_key = None;
        if let Some(name) = &n.row_number {
            if schema.index_of(name).is_some() {
                return Err(PlanError::new(&path.field("row_number"), format!("column \"{name}\" already exists")));
            }
            schema.fields.push(Field::new(name.clone(), DataType::BigInt).with_nullable(false));
            let rn = schema.len() - 1;
            // Only row numbers are unique within a partition: RANK and DENSE_RANK repeat on ties.
            unique_key = (n.rank_type == RankType::RowNumber)
                .then(|| {
                    partition_by.iter().map(|p| p.as_column()).collect::<Option<Vec<_>>>().map(|mut k| {
                        k.push(rn);
                        k
                    })
                })
                .flatten();
        }
        Ok(Checked {
            schema,
            op: PlanOp::TopN {
                window_end: window_top_n(input, &partition_by),
                partition_by,
                order_by,
                limit: n.limit,
                rank_start: n.rank_start,
                rank_type: n.rank_type,
                row_number: n.row_number.is_some(),
            },
            unique_key,
            ordering: None,
        })
    }
}

/// A source schema: at least one column, names unique.
fn check_columns(fields: &[Field], path: &SpecPath) -> Result<Schema, PlanError> {
    if fields.is_empty() {
        return Err(PlanError::new(path, "a source needs at least one column"));
    }
    for (i, f) in fields.iter().enumerate() {
        if fields[..i].iter().any(|g| g.name == f.name) {
            return Err(PlanError::new(&path.index(i).field("name"), format!("duplicate column \"{}\"", f.name)));
        }
    }
    Ok(Schema::new(fields.to_vec()))
}

/// Rows given in the spec, each read as the declared column types.
fn check_values(n: &ValuesNode, path: &SpecPath) -> Result<Checked, PlanError> {
    let schema = check_columns(&n.schema, &path.field("schema"))?;
    let mut rows = Vec::with_capacity(n.rows.len());
    for (i, row) in n.rows.iter().enumerate() {
        let at = path.field("rows").index(i);
        if row.len() != schema.len() {
            return Err(PlanError::new(&at, format!("expected {} values, found {}", schema.len(), row.len())));
        }
        let values = row
            .iter()
            .zip(&schema.fields)
            .enumerate()
            .map(|(k, (json, field))| {
                let v = value_from_json(json, &field.data_type).map_err(|m| PlanError::new(&at.index(k), m))?;
                if v.is_null() && !field.nullable {
                    return Err(PlanError::new(&at.index(k), format!("column \"{}\" is NOT NULL", field.name)));
                }
                Ok(v)
            })
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(Row::new(values));
    }
    let factory = Arc::new(ValuesSource::new(rows));
    Ok(Checked {
        schema,
        op: PlanOp::Source { connector: ValuesSource::NAME.into(), factory, watermark: None, computed: Vec::new(), projection: None, options: None },
        unique_key: None,
        ordering: None,
    })
}

/// The result type of an aggregate over an argument of type `arg` (Flink's rules: SUM and AVG
/// of an integer stay that integer type, of FLOAT FLOAT; COUNT is BIGINT).
pub fn aggregate_type(function: AggregateFunction, arg: Option<DataType>) -> Result<DataType, String> {
    use AggregateFunction::*;
    match (function, arg) {
        (Count, _) => Ok(DataType::BigInt),
        (Min | Max | FirstValue | LastValue, Some(t)) => Ok(t),
        // The argument is already wrapped as `ARRAY[x]`, of the result type (see `bind_aggregate`).
        (ArrayAgg, Some(t)) => Ok(t),
        (Collect, Some(t)) => Ok(DataType::multiset(t)),
        (Sum, Some(DataType::Decimal { scale, .. })) => Ok(DataType::Decimal { precision: 38, scale }),
        (Avg, Some(DataType::Decimal { scale, .. })) => Ok(DataType::Decimal { precision: 38, scale: scale.max(6) }),
        (Sum | Avg, Some(t @ (DataType::Int | DataType::BigInt | DataType::Float | DataType::Double | DataType::Null))) => Ok(t),
        (Sum | Avg, Some(t)) => Err(format!("{} needs a numeric argument, found {t}", function.sql_name())),
        (_, None) => Err(format!("{} needs an argument", function.sql_name())),
    }
}

/// What checking one node produced.
pub(super) struct Checked {
    pub(super) schema: Schema,
    pub(super) op: PlanOp,
    pub(super) unique_key: Option<Vec<usize>>,
    pub(super) ordering: Option<Vec<BoundSortKey>>,
}

impl Checked {
    /// A node with its input's schema and key (filters).
    pub(super) fn keeping(input: &PlanNode, op: PlanOp) -> Checked {
        Checked { schema: input.schema.clone(), op, unique_key: input.unique_key.clone(), ordering: None }
    }
}
