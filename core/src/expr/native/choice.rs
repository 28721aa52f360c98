//! Native CASE and IN: the branch or the member found by native comparisons, the result read
//! natively. As the generic kernels: CASE evaluates its conditions in order up to the first
//! that holds (a simple CASE with a NULL operand none of them) and only the chosen result; IN
//! is NULL for a NULL left side, TRUE when an element equals it, else NULL when an element is
//! NULL, else FALSE, evaluating a list that is not all literals up to the first equal element.

use crate::types::{DataType, Row, Value};

use super::super::bound::{BoundCall, BoundExpr};
use super::super::compile::Compiler;
use super::super::error::EvalError;
use super::scalar::{Native, Operand, Repr, Scalar, by_repr, repr};
use super::text::{self, Borrowed};
use super::{booleans, operand};

/// Which branch of a CASE a row takes (`None`: the ELSE).
type Choose = Box<dyn Fn(&Row) -> Result<Option<usize>, EvalError> + Send + Sync>;

/// `CASE` with arguments `[operand?, when0, then0, ..., else?]` and result type `t`, when the
/// result has a native form.
pub(super) fn case(call: &BoundCall, t: DataType, simple: bool, has_else: bool, cx: Compiler<'_>) -> Option<Native> {
    let (subject, rest) = if simple { call.args.split_first().map(|(s, r)| (Some(s), r))? } else { (None, &call.args[..]) };
    let (otherwise, branches) = if has_else { rest.split_last().map(|(e, b)| (Some(e), b))? } else { (None, rest) };
    if branches.len() % 2 != 0 {
        return None;
    }
    let whens: Vec<&BoundExpr> = branches.iter().step_by(2).collect();
    let kind = repr(t)?;
    let choose = match subject {
        Some(subject) => simple_choice(subject, &whens, cx)?,
        None => searched_choice(&whens, cx)?,
    };
    by_repr!(kind, T => {
        let thens = branches.iter().skip(1).step_by(2).map(|e| T::unwrap(operand(e, cx)?)).collect::<Option<Vec<_>>>()?;
        let otherwise = match otherwise {
            Some(e) => Some(T::unwrap(operand(e, cx)?)?),
            None => None,
        };
        Some(T::wrap(Operand::computed(move |row| match choose(row)?.and_then(|i| thens.get(i)) {
            Some(then) => then.eval(row),
            None => otherwise.as_ref().map_or(Ok(None), |e| e.eval(row)),
        })))
    })
}

/// `CASE WHEN c0 THEN .. WHEN c1 ..`: the first condition that is TRUE.
fn searched_choice(whens: &[&BoundExpr], cx: Compiler<'_>) -> Option<Choose> {
    let conditions = whens.iter().map(|w| booleans(w, cx)).collect::<Option<Vec<_>>>()?;
    Some(Box::new(move |row: &Row| {
        for (i, c) in conditions.iter().enumerate() {
            if c.eval(row)? == Some(true) {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }))
}

/// `CASE x WHEN v0 THEN .. WHEN v1 ..`: the first value equal to `x` (none when `x` is NULL);
/// values without a native form (STRING, ...) compared where they lie.
fn simple_choice(subject: &BoundExpr, whens: &[&BoundExpr], cx: Compiler<'_>) -> Option<Choose> {
    let Some(kind) = repr(subject.data_type()) else {
        let subject = Borrowed::new(subject, cx);
        let whens: Vec<Borrowed> = whens.iter().map(|w| Borrowed::new(w, cx)).collect();
        return Some(Box::new(move |row: &Row| {
            subject.with(row, |x| {
                if x.is_null() {
                    return Ok(None);
                }
                for (i, w) in whens.iter().enumerate() {
                    if w.with(row, |y| y == x)? {
                        return Ok(Some(i));
                    }
                }
                Ok(None)
            })?
        }));
    };
    by_repr!(kind, T => {
        let subject = T::unwrap(operand(subject, cx)?)?;
        let whens = whens.iter().map(|w| T::unwrap(operand(w, cx)?)).collect::<Option<Vec<_>>>()?;
        Some(Box::new(move |row: &Row| {
            let Some(x) = subject.eval(row)? else { return Ok(None) };
            for (i, w) in whens.iter().enumerate() {
                if w.eval(row)? == Some(x) {
                    return Ok(Some(i));
                }
            }
            Ok(None)
        }) as Choose)
    })
}

/// `x [NOT] IN (e0, e1, ...)`: over a set prepared once when the elements are literals.
pub(super) fn membership(call: &BoundCall, negated: bool, cx: Compiler<'_>) -> Option<Native> {
    let (x, list) = call.args.split_first()?;
    let literals: Option<Vec<&Value>> = list.iter().map(BoundExpr::as_literal).collect();
    match (repr(x.data_type()), literals) {
        (Some(kind), Some(literals)) => by_repr!(kind, T => in_set::<T>(T::unwrap(operand(x, cx)?)?, &literals, negated)),
        (Some(kind), None) => by_repr!(kind, T => {
            let list = list.iter().map(|e| T::unwrap(operand(e, cx)?)).collect::<Option<Vec<_>>>()?;
            Some(in_list::<T>(T::unwrap(operand(x, cx)?)?, list, negated))
        }),
        (None, Some(literals)) => {
            let members = literals.iter().filter(|v| !v.is_null()).map(|v| (*v).clone()).collect();
            let has_null = literals.iter().any(|v| v.is_null());
            Some(Native::Bool(text::in_set_in_place(Borrowed::new(x, cx), Members::new(members), has_null, negated)))
        }
        (None, None) => None,
    }
}

fn in_set<T: Scalar>(x: Operand<T>, literals: &[&Value], negated: bool) -> Option<Native> {
    let mut members = Vec::with_capacity(literals.len());
    let mut has_null = false;
    for v in literals {
        match T::read(v).ok()? {
            Some(m) => members.push(m),
            None => has_null = true,
        }
    }
    let members = Members::new(members);
    Some(Native::Bool(Operand::computed(move |row| {
        let Some(x) = x.eval(row)? else { return Ok(None) };
        Ok(found(members.contains(&x), has_null, negated))
    })))
}

fn in_list<T: Scalar>(x: Operand<T>, list: Vec<Operand<T>>, negated: bool) -> Native {
    Native::Bool(Operand::computed(move |row| {
        let Some(x) = x.eval(row)? else { return Ok(None) };
        let mut saw_null = false;
        for e in &list {
            match e.eval(row)? {
                Some(y) if y == x => return Ok(Some(!negated)),
                Some(_) => {}
                None => saw_null = true,
            }
        }
        Ok(found(false, saw_null, negated))
    }))
}

/// The value of `[NOT] IN` for a non-NULL left side: whether it was found, and whether the
/// list had a NULL.
pub(super) fn found(hit: bool, saw_null: bool, negated: bool) -> Option<bool> {
    if hit {
        Some(!negated)
    } else if saw_null {
        None
    } else {
        Some(negated)
    }
}

/// The members of an IN list: sorted without repeats, searched one by one when few, by
/// halves when many.
pub(super) struct Members<T>(Vec<T>);

/// Up to this many members, a linear scan beats a binary search.
const SCAN: usize = 16;

impl<T: Ord> Members<T> {
    pub(super) fn new(mut members: Vec<T>) -> Members<T> {
        members.sort_unstable();
        members.dedup();
        Members(members)
    }

    #[inline]
    pub(super) fn contains(&self, x: &T) -> bool {
        if self.0.len() <= SCAN { self.0.contains(x) } else { self.0.binary_search(x).is_ok() }
    }
}
