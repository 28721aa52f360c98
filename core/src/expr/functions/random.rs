//! Flink's random functions: `RAND([seed])` (a DOUBLE in [0, 1)), `RAND_INTEGER([seed, ]
//! bound)` (an INT in [0, bound)) and `UUID()` (a random version-4 UUID). They are never
//! folded. With a literal seed a call gives the same sequence on every run, as Flink's (each
//! worker draws its own copy of that sequence); without one it is seeded from the clock.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::types::{DataType, Value};

use super::super::bound::{BoundExpr, Kernel};
use super::super::compile::CompiledExpr;
use super::super::error::{EvalError, ExprError};
use super::{CallSite, FunctionDef, Param, int_of, literal_int, string_value};

pub(crate) const FUNCTIONS: &[FunctionDef] = &[
    FunctionDef { names: &["RAND"], signature: "([seed INT])", bind: rand_double },
    FunctionDef { names: &["RAND_INTEGER"], signature: "([seed INT, ] bound INT)", bind: rand_integer },
    FunctionDef { names: &["UUID"], signature: "()", bind: uuid },
];

/// A generator seeded by `seed`, or from the clock.
fn generator(seed: Option<i64>) -> Arc<Mutex<SmallRng>> {
    let seed = seed.map_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64), |s| s as u64);
    Arc::new(Mutex::new(SmallRng::seed_from_u64(seed)))
}

/// The seed argument: a literal integer, or an error.
fn seed_of(site: &CallSite, i: usize) -> Result<i64, ExprError> {
    site.args.get(i).and_then(literal_int).ok_or_else(|| site.arg_error(i, format!("the seed of {} must be a literal integer", site.name)))
}

/// A call that draws from `rng` per evaluation, given the values of `args`.
fn drawing(
    name: &str,
    args: Vec<BoundExpr>,
    result: DataType,
    rng: Arc<Mutex<SmallRng>>,
    f: fn(&mut SmallRng, &[Value]) -> Result<Value, EvalError>,
) -> BoundExpr {
    let kernel = Kernel::Lazy(Arc::new(move |args: &[CompiledExpr], row| {
        let values = args.iter().map(|a| a.eval(row)).collect::<Result<Vec<_>, _>>()?;
        let mut rng = rng.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut rng, &values)
    }));
    let nullable = result != DataType::Double && result != DataType::String;
    BoundExpr::call(name, args, kernel, result, nullable).non_deterministic()
}

fn rand_double(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(0, 1)?;
    let seed = if site.args.is_empty() { None } else { Some(seed_of(&site, 0)?) };
    Ok(drawing("RAND", Vec::new(), DataType::Double, generator(seed), |rng, _| Ok(Value::double(rng.random::<f64>()))))
}

/// `RAND_INTEGER([seed, ] bound)`: NULL when the bound is NULL; an error when it is not
/// positive.
fn rand_integer(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(1, 2)?;
    let seed = if site.args.len() == 2 { Some(seed_of(&site, 0)?) } else { None };
    let mut site = site;
    if seed.is_some() {
        site.args.remove(0);
    }
    let args = site.expect(&[Param::BigInt], 1)?;
    Ok(drawing("RAND_INTEGER", args, DataType::Int, generator(seed), |rng, values| {
        let Some(bound) = values.first().filter(|v| !v.is_null()) else { return Ok(Value::Null) };
        let bound = int_of(bound)?;
        if bound <= 0 || bound > i64::from(i32::MAX) {
            return Err(EvalError::new(format!("RAND_INTEGER: the bound must be between 1 and {}, got {bound}", i32::MAX)));
        }
        Ok(Value::Int(rng.random_range(0..bound) as i32))
    }))
}

/// `UUID()`: `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`, random (RFC 4122 version 4).
fn uuid(site: CallSite) -> Result<BoundExpr, ExprError> {
    site.expect_count(0, 0)?;
    Ok(drawing("UUID", Vec::new(), DataType::String, generator(None), |rng, _| {
        let bits = (rng.random::<u128>() & !(0xF000 << 64) & !(0xC000 << 48)) | (0x4000 << 64) | (0x8000 << 48);
        let hex = format!("{bits:032x}");
        Ok(string_value(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])))
    }))
}
