//! When two bound expressions compute the same value: what sub-plan reuse
//! (`plan::merge_equal_subplans`) compares nodes by.

use super::bound::{BoundExpr, Kind};

impl BoundExpr {
    /// Whether `self` and `other` give the same value for every row: the same tree of columns,
    /// literals and calls, each call with the same name, result type and nullability, and
    /// every call deterministic (`NOW()`, `RAND()`, `UUID()`, `CURRENT_WATERMARK` and user
    /// functions declared non-deterministic give different values per call, so no two of them
    /// are the same). A call's kernel is not compared: the binder derives it from the name,
    /// the argument types and the arguments alone (each clause of a call is one of its
    /// arguments, as `EXPLAIN` prints it; a user function's name maps to one function in a
    /// plan), so equal trees run equal kernels.
    pub fn same_value_as(&self, other: &BoundExpr) -> bool {
        if self.data_type() != other.data_type() || self.nullable() != other.nullable() {
            return false;
        }
        match (&self.kind, &other.kind) {
            (Kind::Column(a), Kind::Column(b)) => a == b,
            (Kind::Literal(a), Kind::Literal(b)) => a == b,
            (Kind::Call(a), Kind::Call(b)) => {
                a.deterministic
                    && b.deterministic
                    && a.name == b.name
                    && a.args.len() == b.args.len()
                    && a.args.iter().zip(&b.args).all(|(x, y)| x.same_value_as(y))
            }
            _ => false,
        }
    }

    /// Whether the expression gives the same value every time it is evaluated on the same row:
    /// it calls no non-deterministic function (`NOW()`, `RAND()`, `UUID()`,
    /// `CURRENT_WATERMARK`, user functions declared non-deterministic).
    pub fn is_deterministic(&self) -> bool {
        match &self.kind {
            Kind::Column(_) | Kind::Literal(_) => true,
            Kind::Call(c) => c.deterministic && c.args.iter().all(BoundExpr::is_deterministic),
        }
    }
}
