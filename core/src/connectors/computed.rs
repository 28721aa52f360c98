//! Computed columns of a source (SQL's `ts AS TO_TIMESTAMP_LTZ(ts_ms, 3)`): a decorator over
//! any connector that appends, to each row it reads, the values of expressions over the
//! row's physical columns. Evaluating them where the rows are read lets a source be timed by a
//! computed column: its watermark may name one, as Flink's `WATERMARK FOR` may.
//!
//! An expression that fails on a row (a failing CAST, division by zero) fails the job, naming
//! the source node, as a projection would.

use std::sync::Arc;

use crate::error::RuntimeError;
use crate::expr::{BoundExpr, CompiledExpr};
use crate::types::Row;

use super::{Boundedness, PushInput, SourceFactory, SourceOffset, SourcePoll, SourceReader};

/// A source whose rows are `inner`'s, each followed by the values of `exprs` on it.
pub struct ComputedColumns {
    inner: Arc<dyn SourceFactory>,
    node: String,
    exprs: Vec<BoundExpr>,
    /// The number of `inner`'s (physical) columns.
    physical_width: usize,
}

impl ComputedColumns {
    /// `inner`, whose rows have `physical_width` columns, with `exprs` (bound against them)
    /// appended, for plan node `node`.
    pub fn new(inner: Arc<dyn SourceFactory>, physical_width: usize, node: &str, exprs: Vec<BoundExpr>) -> ComputedColumns {
        ComputedColumns { inner, node: node.to_string(), exprs, physical_width }
    }
}

impl SourceFactory for ComputedColumns {
    fn boundedness(&self) -> Boundedness {
        self.inner.boundedness()
    }

    fn open(&self, worker: usize, peers: usize, resume: Option<&SourceOffset>) -> Result<Box<dyn SourceReader>, RuntimeError> {
        let inner = self.inner.open(worker, peers, resume)?;
        let exprs = self.exprs.iter().map(BoundExpr::compile).collect();
        Ok(Box::new(ComputedReader { inner, node: self.node.clone(), exprs, physical: Vec::new() }))
    }

    fn push_input(&self) -> Option<PushInput> {
        self.inner.push_input()
    }

    /// The inner source builds the physical columns among `columns` and those the computed
    /// columns read; the computed columns are all evaluated, as before.
    fn project(&self, columns: &[usize]) -> Option<Arc<dyn SourceFactory>> {
        let mut physical: Vec<usize> = columns.iter().copied().filter(|&c| c < self.physical_width).collect();
        physical.extend(self.exprs.iter().flat_map(BoundExpr::referenced_columns));
        physical.sort_unstable();
        physical.dedup();
        let inner = self.inner.project(&physical)?;
        Some(Arc::new(ComputedColumns { inner, node: self.node.clone(), exprs: self.exprs.clone(), physical_width: self.physical_width }))
    }
}

/// One split: reads the inner split's rows, then extends each.
struct ComputedReader {
    inner: Box<dyn SourceReader>,
    node: String,
    exprs: Vec<CompiledExpr>,
    physical: Vec<Row>,
}

impl SourceReader for ComputedReader {
    fn poll(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        self.physical.clear();
        let polled = self.inner.poll(&mut self.physical, max_rows)?;
        out.reserve(self.physical.len());
        for row in self.physical.drain(..) {
            let mut values = Vec::with_capacity(row.len() + self.exprs.len());
            values.extend_from_slice(row.values());
            for e in &self.exprs {
                let value = e.eval(&row).map_err(|e| RuntimeError::Eval { operator: self.node.clone(), message: e.message })?;
                values.push(value);
            }
            out.push(Row::new(values));
        }
        Ok(polled)
    }

    fn offset(&self) -> SourceOffset {
        self.inner.offset()
    }

    fn skipped_records(&self) -> u64 {
        self.inner.skipped_records()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::ValuesSource;
    use crate::expr::{BindContext, Expr, bind};
    use crate::types::{DataType, Field, Schema, Value};

    fn computed(rows: Vec<Row>, exprs: &[Expr]) -> ComputedColumns {
        let schema = Schema::new(vec![Field::new("ts_ms", DataType::BigInt), Field::new("b", DataType::Int)]);
        let bound = exprs.iter().map(|e| bind(e, &schema, &BindContext::default()).expect("binds")).collect();
        ComputedColumns::new(Arc::new(ValuesSource::new(rows)), schema.len(), "src", bound)
    }

    fn read_all(source: &ComputedColumns) -> Result<Vec<Row>, RuntimeError> {
        let mut reader = source.open(0, 1, None)?;
        let mut out = Vec::new();
        while reader.poll(&mut out, 2)? != SourcePoll::Finished {}
        Ok(out)
    }

    #[test]
    fn appends_each_expression_after_the_physical_columns() {
        let rows = vec![Row::new(vec![Value::BigInt(1500), Value::Int(2)]), Row::new(vec![Value::BigInt(7), Value::Int(3)])];
        let ts = Expr::call("TO_TIMESTAMP_LTZ", vec![Expr::col("ts_ms"), Expr::lit(3)]);
        let doubled = Expr::call("*", vec![Expr::col("b"), Expr::lit(2)]);
        let out = read_all(&computed(rows, &[ts, doubled])).expect("reads");
        assert_eq!(out[0].values(), &[Value::BigInt(1500), Value::Int(2), Value::TimestampLtz(1500), Value::Int(4)]);
        assert_eq!(out[1].values(), &[Value::BigInt(7), Value::Int(3), Value::TimestampLtz(7), Value::Int(6)]);
    }

    #[test]
    fn a_failing_expression_fails_naming_the_source() {
        let rows = vec![Row::new(vec![Value::BigInt(1), Value::Int(0)])];
        let ratio = Expr::call("/", vec![Expr::col("ts_ms"), Expr::col("b")]);
        match read_all(&computed(rows, &[ratio])) {
            Err(RuntimeError::Eval { operator, .. }) => assert_eq!(operator, "src"),
            other => panic!("expected an evaluation error, got {other:?}"),
        }
    }
}
