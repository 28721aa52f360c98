//! Checking `sorted_over` nodes: OVER aggregates, LAG/LEAD and row numbers over partitions
//! sorted by any keys (or unsorted: the whole partition is the frame), Flink's batch
//! OverAggregate.

use crate::error::{PlanError, SpecPath};
use crate::types::{DataType, Field, Schema};

use super::spec::{FrameUnit, OffsetCall, RankCall, RankType, SortedOverNode};
use super::typed::{BoundOffset, PlanOp};
use super::validate::{Checked, PlanValidator, expr_error};

impl PlanValidator {
    pub(super) fn check_sorted_over(&self, n: &SortedOverNode, inputs: &[usize], path: &SpecPath) -> Result<Checked, PlanError> {
        let input = self.input(inputs, 0);
        let partition_by = self.bind_all(&n.partition_by, &input.schema, &path.field("partition_by"))?;
        let order_by = self.bind_sort_keys(&n.order_by, &input.schema, &path.field("order_by"))?;
        match (&n.frame, order_by.is_empty()) {
            (Some(_), true) => return Err(PlanError::new(&path.field("frame"), "a frame needs an order_by (without one the frame is the whole partition)")),
            (None, false) => return Err(PlanError::new(&path.field("frame"), "an ordered sorted_over needs a frame")),
            (Some(f), false) if f.unit == FrameUnit::Range && f.preceding.is_some() => {
                return Err(PlanError::new(
                    &path.field("frame").field("preceding"),
                    "a RANGE frame with a bound orders by one time column: use an `over` node (or ROWS, or UNBOUNDED)",
                ));
            }
            _ => {}
        }
        if n.aggregates.is_empty() && n.offsets.is_empty() && n.ranks.is_empty() {
            return Err(PlanError::new(&path.field("aggregates"), "a sorted_over node needs at least one aggregate, offset or rank"));
        }
        let (mut fields, aggregates) = self.bind_over_aggregates(&n.aggregates, &input.schema, &path.field("aggregates"))?;
        let offsets = self.bind_offsets(&n.offsets, &input.schema, &path.field("offsets"), &mut fields)?;
        let ranks = bind_ranks(&n.ranks, order_by.is_empty(), &path.field("ranks"), &mut fields)?;
        Ok(Checked {
            schema: input.schema.join(&Schema::new(fields)),
            op: PlanOp::SortedOver { partition_by, order_by, frame: n.frame, aggregates, offsets, ranks },
            unique_key: None,
            ordering: None,
        })
    }

    /// LAG/LEAD calls over `schema` (at `path`), their output fields added to `fields`.
    pub(super) fn bind_offsets(&self, calls: &[OffsetCall], schema: &Schema, path: &SpecPath, fields: &mut Vec<Field>) -> Result<Vec<BoundOffset>, PlanError> {
        let mut offsets = Vec::new();
        for (i, o) in calls.iter().enumerate() {
            let at = path.index(i);
            let arg = self.bind(&o.arg, schema, &at.field("arg"))?;
            let output_type = arg.data_type();
            let default = match &o.default {
                Some(d) => Some(self.bind(d, schema, &at.field("default"))?.cast_to(output_type).map_err(|e| expr_error(&at.field("default"), e))?),
                None => None,
            };
            fields.push(Field::new(o.name.clone(), output_type));
            offsets.push(BoundOffset { lead: o.lead, arg, offset: o.offset, default, output_type });
        }
        Ok(offsets)
    }
}

/// The numbering of each rank call (at `path`), their BIGINT output fields added to `fields`.
/// Without an order, numbers would be arbitrary (ROW_NUMBER) or all 1 (RANK, DENSE_RANK): Flink
/// refuses them there, as this does.
fn bind_ranks(calls: &[RankCall], unordered: bool, path: &SpecPath, fields: &mut Vec<Field>) -> Result<Vec<RankType>, PlanError> {
    let mut ranks = Vec::new();
    for (i, r) in calls.iter().enumerate() {
        if unordered {
            return Err(PlanError::new(
                &path.index(i).field("rank_type"),
                format!("{}() needs an order_by (ORDER BY in its OVER clause)", r.rank_type.sql_name()),
            ));
        }
        fields.push(Field::new(r.name.clone(), DataType::BigInt).with_nullable(false));
        ranks.push(r.rank_type);
    }
    Ok(ranks)
}
