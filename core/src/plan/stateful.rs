//! Checking the nodes run by keyed stateful operators: OVER aggregates, interval joins and
//! process functions, which need append-only inputs (state that has fired cannot be undone);
//! the first two also an event-time column to order or bound rows by. And the mid-stream
//! watermark that gives DataStreams their event time.

use crate::error::{PlanError, SpecPath};
use crate::expr::common_type;
use crate::types::{DataType, Schema};

use super::spec::{FrameUnit, IntervalJoinNode, OverNode, ProcessNode, StreamWindowNode, WatermarkNode};
use super::time::resolve_column;
use super::typed::{PlanNode, PlanOp};
use super::validate::{Checked, PlanValidator, expr_error};

/// The event-time column `name` of `input`: a TIMESTAMP(3)/TIMESTAMP_LTZ(3) column.
fn time_column(input: &PlanNode, name: &str, path: &SpecPath) -> Result<usize, PlanError> {
    let column = resolve_column(name, &input.schema, path)?;
    let data_type = input.schema.fields[column].data_type;
    if !data_type.is_timestamp() {
        return Err(PlanError::new(path, format!("expected a TIMESTAMP(3) or TIMESTAMP_LTZ(3) time column, \"{name}\" is {data_type}")));
    }
    Ok(column)
}

/// Fails unless `input` only ever inserts rows.
fn append_only(input: &PlanNode, what: &str, path: &SpecPath) -> Result<(), PlanError> {
    if input.append_only {
        Ok(())
    } else {
        Err(PlanError::new(path, format!("unsupported: {what} over an updating input (\"{}\" retracts rows; {what} needs an append-only input)", input.id)))
    }
}

impl PlanValidator {
    pub(super) fn check_over(&self, n: &OverNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        let input = self.input(inputs, 0);
        append_only(input, "an OVER aggregate", &path.field("input"))?;
        let time_column = time_column(input, &n.order_by, &path.field("order_by"))?;
        if n.frame.unit == FrameUnit::Range && n.frame.preceding == Some(0) {
            return Err(PlanError::new(&path.field("frame").field("preceding"), "a RANGE frame needs a positive interval (or none for UNBOUNDED PRECEDING)"));
        }
        let partition_by = self.bind_all(&n.partition_by, &input.schema, &path.field("partition_by"))?;
        if n.aggregates.is_empty() && n.offsets.is_empty() {
            return Err(PlanError::new(&path.field("aggregates"), "an OVER node needs at least one aggregate or LAG call"));
        }
        let (mut fields, aggregates) = self.bind_over_aggregates(&n.aggregates, &input.schema, &path.field("aggregates"))?;
        if let Some(i) = n.offsets.iter().position(|o| o.lead) {
            return Err(PlanError::new(
                &path.field("offsets").index(i).field("lead"),
                "LEAD needs the rows after the current one: use a sorted_over node (batch mode)",
            ));
        }
        let offsets = self.bind_offsets(&n.offsets, &input.schema, &path.field("offsets"), &mut fields)?;
        Ok(Checked {
            schema: input.schema.join(&Schema::new(fields)),
            op: PlanOp::Over { partition_by, time_column, frame: n.frame, aggregates, offsets, event_time: input.time.rowtime == Some(time_column) },
            unique_key: None,
            ordering: None,
        })
    }

    pub(super) fn check_interval_join(&self, n: &IntervalJoinNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        let (left, right) = (self.input(inputs, 0), self.input(inputs, 1));
        append_only(left, "an interval join", &path.field("left"))?;
        append_only(right, "an interval join", &path.field("right"))?;
        let left_time = time_column(left, &n.left_time, &path.field("left_time"))?;
        let right_time = time_column(right, &n.right_time, &path.field("right_time"))?;
        if n.lower_ms > n.upper_ms {
            return Err(PlanError::new(
                &path.field("upper_ms"),
                format!("the interval is empty: lower_ms ({}) is after upper_ms ({})", n.lower_ms, n.upper_ms),
            ));
        }
        let (left_keys, right_keys) = self.bind_join_keys(&n.left_keys, &n.right_keys, left, right, path)?;
        let condition = match &n.condition {
            Some(c) => Some(self.bind_predicate(c, &left.schema.join(&right.schema), &path.field("condition"))?),
            None => None,
        };
        let schema = super::validate::joined_schema(n.join_type, &left.schema, &right.schema);
        Ok(Checked {
            schema,
            op: PlanOp::IntervalJoin {
                left_keys,
                right_keys,
                left_time,
                right_time,
                lower_ms: n.lower_ms,
                upper_ms: n.upper_ms,
                condition,
                join_type: n.join_type,
                widths: (left.schema.len(), right.schema.len()),
                event_time: left.time.rowtime == Some(left_time) && right.time.rowtime == Some(right_time),
            },
            unique_key: None,
            ordering: None,
        })
    }

    pub(super) fn check_watermark(&self, n: &WatermarkNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        let input = self.input(inputs, 0);
        append_only(input, "a watermark", &path.field("input"))?;
        let column = resolve_column(&n.column, &input.schema, &path.field("column"))?;
        let data_type = input.schema.fields[column].data_type;
        if !(data_type.is_timestamp() || data_type == DataType::BigInt) {
            return Err(PlanError::new(
                &path.field("column"),
                format!("expected a BIGINT (epoch milliseconds) or TIMESTAMP(3) column, \"{}\" is {data_type}", n.column),
            ));
        }
        Ok(Checked::keeping(input, PlanOp::Watermark { column, delay_ms: n.delay_ms, sql: n.sql }))
    }

    pub(super) fn check_process(&self, n: &ProcessNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        let Some(function) = self.bind_context().functions.process(&n.function) else {
            return Err(PlanError::new(&path.field("function"), format!("no process function \"{}\" is registered", n.function)));
        };
        if inputs.is_empty() || inputs.len() > 2 {
            return Err(PlanError::new(&path.field("inputs"), format!("a process node takes one or two inputs, found {}", inputs.len())));
        }
        if n.keys.len() != inputs.len() {
            return Err(PlanError::new(&path.field("keys"), format!("{} inputs but {} key lists: give one per input", inputs.len(), n.keys.len())));
        }
        let (mut keys, mut values, mut timestamps, mut event_time) = (Vec::new(), Vec::new(), Vec::new(), true);
        for k in 0..inputs.len() {
            let input = self.input(inputs, k);
            append_only(input, "a process function", &path.field("inputs").index(k))?;
            let (value, timestamp) = record_columns(&n.value, n.timestamp.as_deref(), &input.schema, path)?;
            event_time &= timestamp.is_some() && input.time.rowtime == timestamp;
            keys.push(self.bind_all(&n.keys[k], &input.schema, &path.field("keys").index(k))?);
            values.push(value);
            timestamps.push(timestamp);
        }
        if let [first, second] = &mut keys[..] {
            if first.len() != second.len() {
                return Err(PlanError::new(
                    &path.field("keys").index(1),
                    format!("{} keys for the first input but {} for the second", first.len(), second.len()),
                ));
            }
            for (j, (a, b)) in first.iter_mut().zip(second.iter_mut()).enumerate() {
                let at = path.field("keys").index(1).index(j);
                let Some(t) = common_type(a.data_type(), b.data_type()) else {
                    return Err(PlanError::new(&at, format!("cannot compare {} with {}", a.data_type(), b.data_type())));
                };
                *a = a.clone().cast_to(t).map_err(|e| expr_error(&at, e))?;
                *b = b.clone().cast_to(t).map_err(|e| expr_error(&at, e))?;
            }
        }
        let schema = Schema::new(function.output());
        Ok(Checked { schema, op: PlanOp::Process { function, keys, values, timestamps, event_time }, unique_key: None, ordering: None })
    }

    pub(super) fn check_stream_window(&self, n: &StreamWindowNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        let Some(function) = self.bind_context().functions.window(&n.function) else {
            return Err(PlanError::new(&path.field("function"), format!("no window function \"{}\" is registered", n.function)));
        };
        n.assigner.check().map_err(|m| PlanError::new(&path.field("assigner"), m))?;
        if let Some(trigger) = &n.trigger {
            trigger.check().map_err(|m| PlanError::new(&path.field("trigger"), m))?;
        }
        if let Some(evictor) = &n.evictor {
            evictor.check().map_err(|m| PlanError::new(&path.field("evictor"), m))?;
        }
        if n.allowed_lateness_ms > 0 && !n.assigner.event_time() {
            return Err(PlanError::new(&path.field("allowed_lateness_ms"), "allowed lateness is only defined for event-time windows"));
        }
        let input = self.input(inputs, 0);
        append_only(input, "a window operator", &path.field("input"))?;
        let (value, timestamp) = record_columns(&n.value, n.timestamp.as_deref(), &input.schema, path)?;
        let event_time = timestamp.is_some() && input.time.rowtime == timestamp;
        let key = self.bind_all(&n.key, &input.schema, &path.field("key"))?;
        let schema = Schema::new(function.output());
        let op = PlanOp::StreamWindow {
            function,
            key,
            value,
            timestamp,
            assigner: n.assigner.clone(),
            trigger: n.trigger.clone(),
            evictor: n.evictor.clone(),
            allowed_lateness_ms: n.allowed_lateness_ms,
            event_time,
        };
        Ok(Checked { schema, op, unique_key: None, ordering: None })
    }
}

/// The record column `value` (BYTES: the SDK's pickled records) and the timestamp column
/// `timestamp` (BIGINT milliseconds) of a user function's input, as positions in `schema`.
fn record_columns(value: &str, timestamp: Option<&str>, schema: &Schema, path: &SpecPath) -> Result<(usize, Option<usize>), PlanError> {
    let column = resolve_column(value, schema, &path.field("value"))?;
    if schema.fields[column].data_type != DataType::Bytes {
        return Err(PlanError::new(&path.field("value"), format!("expected a BYTES record column, \"{value}\" is {}", schema.fields[column].data_type)));
    }
    let time = timestamp.map(|t| resolve_column(t, schema, &path.field("timestamp"))).transpose()?;
    if let Some(t) = time.filter(|&t| schema.fields[t].data_type != DataType::BigInt) {
        return Err(PlanError::new(&path.field("timestamp"), format!("expected a BIGINT timestamp column, found {}", schema.fields[t].data_type)));
    }
    Ok((column, time))
}
