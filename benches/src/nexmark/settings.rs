//! Job settings of a measured run: `--set KEY=VALUE` (any of the job's configuration keys,
//! e.g. `table.exec.state.ttl=10 s` or `state.backend.type=rocksdb`) and
//! `--checkpoint-interval 1s` (checkpoints into a fresh temporary directory, removed after the
//! run), given to the query as `SET` statements before its DDL; and the checkpoint figures a
//! run reports.

use serde::{Deserialize, Serialize};
use weir_core::job::{CheckpointStatsSnapshot, CheckpointStatus};

/// The `SET` statements of a run, and the checkpoint directory they name (dropped: removed).
#[derive(Debug, Default)]
pub struct JobSettings {
    /// `(key, value)` pairs, in order.
    pub pairs: Vec<(String, String)>,
    /// The temporary checkpoint directory, when the run takes checkpoints.
    pub checkpoint_dir: Option<tempfile::TempDir>,
}

impl JobSettings {
    /// Settings from `--set KEY=VALUE` arguments and an optional checkpoint interval (`1s`,
    /// `500ms`, or milliseconds).
    pub fn new(set: &[String], checkpoint_interval: Option<&str>) -> Result<JobSettings, String> {
        let mut settings = JobSettings::default();
        for pair in set {
            let (key, value) = pair.split_once('=').ok_or_else(|| format!("--set {pair:?}: expected KEY=VALUE"))?;
            settings.pairs.push((key.trim().to_string(), value.trim().to_string()));
        }
        if let Some(interval) = checkpoint_interval {
            let ms = interval_ms(interval)?;
            let dir = tempfile::Builder::new().prefix("weir-bench-ck").tempdir().map_err(|e| format!("cannot create a checkpoint directory: {e}"))?;
            settings.pairs.push(("execution.checkpointing.interval".into(), format!("{ms} ms")));
            settings.pairs.push(("execution.checkpointing.dir".into(), dir.path().display().to_string()));
            settings.checkpoint_dir = Some(dir);
        }
        Ok(settings)
    }

    /// The settings as SQL `SET` statements, one per line.
    pub fn sql(&self) -> String {
        self.pairs.iter().map(|(k, v)| format!("SET '{}' = '{}';\n", k.replace('\'', "''"), v.replace('\'', "''"))).collect()
    }
}

/// Milliseconds of `text`: `1s`, `1.5 s`, `500ms`, or a plain number of milliseconds.
pub fn interval_ms(text: &str) -> Result<u64, String> {
    let t = text.trim().to_ascii_lowercase();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (t.as_str(), 1.0)
    };
    let value: f64 = number.trim().parse().map_err(|_| format!("unreadable interval {text:?}: expected e.g. 1s, 500ms or 1000"))?;
    let ms = value * scale;
    if !(ms.is_finite() && ms >= 1.0) {
        return Err(format!("interval {text:?} must be at least 1 ms"));
    }
    Ok(ms as u64)
}

/// What a run's checkpoints cost.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckpointFigures {
    /// Checkpoints completed.
    pub completed: u64,
    /// Checkpoints failed.
    pub failed: u64,
    /// Median trigger-to-commit time of completed checkpoints, ms.
    pub median_duration_ms: f64,
    /// Longest, ms.
    pub max_duration_ms: u64,
    /// Bytes of state of the last completed checkpoint.
    pub last_state_bytes: u64,
    /// Median bytes a checkpoint wrote that its predecessor did not have.
    pub median_checkpointed_bytes: f64,
}

impl CheckpointFigures {
    /// The figures of `stats`.
    pub fn of(stats: &CheckpointStatsSnapshot) -> CheckpointFigures {
        let s = &stats.summary;
        CheckpointFigures {
            completed: stats.completed,
            failed: stats.failed,
            median_duration_ms: s.duration_ms.p50,
            max_duration_ms: s.duration_ms.max,
            last_state_bytes: stats.latest_completed.as_ref().filter(|c| c.status == CheckpointStatus::Completed).map_or(0, |c| c.state_bytes),
            median_checkpointed_bytes: s.checkpointed_bytes.p50,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_become_set_statements() {
        assert_eq!(interval_ms("1s"), Ok(1000));
        assert_eq!(interval_ms("1.5 s"), Ok(1500));
        assert_eq!(interval_ms("250ms"), Ok(250));
        assert_eq!(interval_ms("200"), Ok(200));
        assert!(interval_ms("0s").is_err() && interval_ms("soon").is_err());
        let s = JobSettings::new(&["table.exec.state.ttl = 10 s".into()], Some("1s")).unwrap();
        let sql = s.sql();
        assert!(sql.starts_with("SET 'table.exec.state.ttl' = '10 s';\nSET 'execution.checkpointing.interval' = '1000 ms';\n"), "{sql}");
        let dir = s.checkpoint_dir.as_ref().unwrap().path().to_path_buf();
        assert!(dir.is_dir() && sql.contains(&dir.display().to_string()));
        drop(s);
        assert!(!dir.exists(), "the checkpoint directory goes with the run");
        assert!(JobSettings::new(&["novalue".into()], None).unwrap_err().contains("KEY=VALUE"));
    }
}
