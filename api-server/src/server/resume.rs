//! Resuming jobs after an unclean stop of the server (a crash, `kill -9`): every job the
//! registry still has as running, and whose checkpoint directory holds a complete checkpoint,
//! is started again from its newest one with the same job id, its spec and its push-input
//! logs (attached before it starts, so that what was acknowledged after the checkpoint is
//! replayed). Jobs without a checkpoint are FAILED by the registry as before.

use std::path::PathBuf;

use weir_core::plan::checkpointing::{DIR_KEYS, INTERVAL, RESTORE_KEYS};
use weir_core::plan::{RuntimeMode, parse_job_spec};

use super::registry::{JobFailure, JobRecord, JobState, now_ms};
use super::state::AppState;
use super::submit::{Submission, start};

/// The checkpoint directory of an interrupted job, when it holds a complete checkpoint to
/// resume from (a streaming job that took checkpoints).
pub fn checkpoint_dir(record: &JobRecord) -> Option<PathBuf> {
    if record.state.is_terminal() || record.job_type != "STREAMING" {
        return None;
    }
    let spec = parse_job_spec(&record.spec).ok()?;
    spec.config.get(INTERVAL)?;
    let dir = DIR_KEYS.iter().find_map(|k| spec.config.get(*k))?;
    let dir = PathBuf::from(dir.strip_prefix("file://").unwrap_or(dir));
    weir_core::job::find_checkpoint(&dir).ok().map(|_| dir)
}

/// Starts again every interrupted job the registry kept running (those with a checkpoint);
/// one that cannot start is FAILED with the reason.
pub fn resume_all(state: &AppState) {
    let interrupted: Vec<JobRecord> = state.registry.all().into_iter().filter(|r| !r.state.is_terminal()).collect();
    for record in interrupted {
        let jid = record.jid.clone();
        let outcome = match checkpoint_dir(&record) {
            Some(dir) => resume(state, record, dir),
            None => Err("it has no complete checkpoint to resume from".to_string()),
        };
        match outcome {
            Ok(()) => tracing::info!(jobid = %jid, "resumed a job interrupted by the server's stop from its newest checkpoint"),
            Err(reason) => {
                tracing::warn!(jobid = %jid, %reason, "cannot resume an interrupted job");
                let now = now_ms();
                state.registry.update(&jid, |r| {
                    if !r.state.is_terminal() {
                        let message = format!("the server stopped while the job was running, and resuming it failed: {reason}");
                        r.failure = Some(JobFailure::new("server_restarted", &message, now));
                        r.enter(JobState::Failed, now);
                    }
                });
            }
        }
    }
}

/// Starts `record`'s job again from the newest complete checkpoint in `dir`.
fn resume(state: &AppState, record: JobRecord, dir: PathBuf) -> Result<(), String> {
    let mut spec = parse_job_spec(&record.spec).map_err(|e| format!("its recorded spec does not parse: {e}"))?;
    for key in RESTORE_KEYS {
        spec.config.remove(key);
    }
    spec.config.insert(RESTORE_KEYS[0].to_string(), dir.to_string_lossy().into_owned());
    let submission = Submission { name: record.name.clone(), source: record.source.clone(), spec, mode: Some(RuntimeMode::Streaming) };
    let note = JobFailure::new(
        "server_restarted",
        &format!("the server stopped while the job was running; it resumed from its newest checkpoint in {}", dir.display()),
        now_ms(),
    );
    start(state, &record.jid, submission, Some(note)).map_err(|e| e.to_string())
}
