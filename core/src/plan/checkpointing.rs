//! A job's checkpoint settings, read from its configuration under Flink's keys.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::connectors::options::parse_duration_text;
use crate::error::{PlanError, SpecPath};

/// `execution.checkpointing.interval`: checkpoints are taken this often (absent or 0: never).
pub const INTERVAL: &str = "execution.checkpointing.interval";
/// The shortest interval between checkpoints, in milliseconds: Flink refuses shorter ones
/// ("Checkpoint interval must be larger than or equal to 10 ms").
pub const MIN_INTERVAL_MS: u64 = 10;
/// `execution.checkpointing.dir` (Flink 2) and `state.checkpoints.dir` (Flink 1): where.
pub const DIR_KEYS: [&str; 2] = ["execution.checkpointing.dir", "state.checkpoints.dir"];
/// How many complete checkpoints are kept.
pub const RETAINED_KEYS: [&str; 2] = ["execution.checkpointing.num-retained", "state.checkpoints.num-retained"];
/// Failed checkpoints in a row the job survives.
pub const TOLERABLE: &str = "execution.checkpointing.tolerable-failed-checkpoints";
/// How long a checkpoint may take.
pub const TIMEOUT: &str = "execution.checkpointing.timeout";
/// The checkpoint or savepoint a job starts from (Flink 2's key, then Flink 1's).
pub const RESTORE_KEYS: [&str; 2] = ["execution.state-recovery.path", "execution.savepoint.path"];

/// How a streaming job takes checkpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointSettings {
    /// Milliseconds between checkpoints.
    pub interval_ms: u64,
    /// Where they are written; `None` until the front end supplies one (`weir serve`: inside
    /// its data directory), and an error if none does.
    pub dir: Option<PathBuf>,
    /// Complete checkpoints kept (Flink's default: 1).
    pub retained: usize,
    /// Failed checkpoints in a row tolerated (Flink's default: 0).
    pub tolerable_failures: u32,
    /// Milliseconds a checkpoint may take (Flink's default: 10 minutes).
    pub timeout_ms: u64,
}

/// The checkpoint settings in `raw` (`None`: checkpointing is off) and the path the job
/// restores from, if any; errors name the setting.
pub fn checkpoint_settings(raw: &BTreeMap<String, String>, path: &SpecPath) -> Result<(Option<CheckpointSettings>, Option<PathBuf>), PlanError> {
    let first = |keys: &[&'static str]| keys.iter().find_map(|k| raw.get(*k).map(|v| (*k, v.as_str())));
    let restore = first(&RESTORE_KEYS).map(|(key, value)| local_path(value).map_err(|m| PlanError::new(&path.field(key), m))).transpose()?;
    let interval_ms = match raw.get(INTERVAL) {
        Some(value) => millis(value).map_err(|m| PlanError::new(&path.field(INTERVAL), m))?,
        None => 0,
    };
    if interval_ms == 0 {
        return Ok((None, restore));
    }
    if interval_ms < MIN_INTERVAL_MS {
        let value = raw.get(INTERVAL).map_or("", String::as_str);
        return Err(PlanError::new(
            &path.field(INTERVAL),
            format!("the checkpoint interval must be larger than or equal to {MIN_INTERVAL_MS} ms, as in Flink, found '{value}'"),
        ));
    }
    let dir = first(&DIR_KEYS).map(|(key, value)| local_path(value).map_err(|m| PlanError::new(&path.field(key), m))).transpose()?;
    let retained = match first(&RETAINED_KEYS) {
        Some((key, value)) => value
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| PlanError::new(&path.field(key), format!("expected a positive number of checkpoints, found '{value}'")))?,
        None => 1,
    };
    let tolerable_failures = match raw.get(TOLERABLE) {
        Some(value) => {
            value.trim().parse::<u32>().map_err(|_| PlanError::new(&path.field(TOLERABLE), format!("expected a number of checkpoints, found '{value}'")))?
        }
        None => 0,
    };
    let timeout_ms = match raw.get(TIMEOUT) {
        Some(value) => millis(value).map_err(|m| PlanError::new(&path.field(TIMEOUT), m))?.max(1),
        None => 600_000,
    };
    Ok((Some(CheckpointSettings { interval_ms, dir, retained, tolerable_failures, timeout_ms }), restore))
}

/// `'1 s'`, `'500 ms'`, `'10min'` in milliseconds.
fn millis(text: &str) -> Result<u64, String> {
    let d = parse_duration_text(text).map_err(|what| format!("invalid duration: expected {what}"))?;
    Ok(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A local directory, given as a path or a `file://` URI (other file systems are not
/// supported yet).
fn local_path(text: &str) -> Result<PathBuf, String> {
    let text = text.trim();
    let path = match text.split_once("://") {
        Some(("file", rest)) => rest,
        Some((scheme, _)) => return Err(format!("only local paths or file:// URIs are supported, found a {scheme}:// URI")),
        None => text.strip_prefix("file:").unwrap_or(text),
    };
    if path.is_empty() {
        return Err("expected a directory, found an empty path".into());
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<(Option<CheckpointSettings>, Option<PathBuf>), PlanError> {
        let raw = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        checkpoint_settings(&raw, &SpecPath::default().field("config"))
    }

    #[test]
    fn flink_keys_of_both_generations_are_read() {
        let (s, restore) = settings(&[
            (INTERVAL, "1 s"),
            ("state.checkpoints.dir", "file:///tmp/ck"),
            ("state.checkpoints.num-retained", "3"),
            ("execution.savepoint.path", "/tmp/ck/chk-4"),
        ])
        .unwrap();
        let s = s.unwrap();
        assert_eq!((s.interval_ms, s.dir, s.retained, s.tolerable_failures, s.timeout_ms), (1000, Some(PathBuf::from("/tmp/ck")), 3, 0, 600_000));
        assert_eq!(restore, Some(PathBuf::from("/tmp/ck/chk-4")));
        assert_eq!(settings(&[]).unwrap(), (None, None));
        assert_eq!(settings(&[(INTERVAL, "0 ms")]).unwrap().0, None);
    }

    #[test]
    fn bad_values_name_their_setting() {
        let e = settings(&[(INTERVAL, "soon")]).unwrap_err();
        assert!(e.to_string().contains("execution.checkpointing.interval"), "{e}");
        let e = settings(&[(INTERVAL, "1s"), ("execution.checkpointing.dir", "s3://bucket/x")]).unwrap_err();
        assert!(e.to_string().contains("s3://"), "{e}");
        let e = settings(&[(INTERVAL, "1s"), ("state.checkpoints.num-retained", "0")]).unwrap_err();
        assert!(e.to_string().contains("num-retained"), "{e}");
    }

    #[test]
    fn an_interval_below_flinks_minimum_is_refused() {
        let e = settings(&[(INTERVAL, "9 ms")]).expect_err("below 10 ms");
        assert!(
            e.to_string().contains("config.execution.checkpointing.interval") && e.to_string().contains("10 ms") && e.to_string().contains("'9 ms'"),
            "{e}"
        );
        assert!(settings(&[(INTERVAL, "10 ms")]).is_ok_and(|(s, _)| s.is_some_and(|s| s.interval_ms == 10)));
        assert!(settings(&[(INTERVAL, "0")]).is_ok_and(|(s, _)| s.is_none()), "0 still turns checkpointing off");
    }
}
