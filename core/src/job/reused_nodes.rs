//! Which plan nodes sub-plan reuse merged, recorded in each checkpoint, so that a checkpoint
//! restores only into a plan that merged the same nodes. Operator state and source splits are
//! named by node position (`state.<node>.w<worker>`); a node merged into another runs
//! nothing, and its state in a checkpoint taken without the merge is not the state of the
//! node it was merged into (each copy read its own scan, up to its own offset). Restored the
//! other way, a node that ran on its own would find no state and start empty. Either way the
//! restore fails, naming the setting, rather than run on wrong state.

use std::collections::BTreeMap;

use weir_state::CheckpointManifest;

use super::checkpoint::Checkpoints;
use crate::error::RuntimeError;

/// The manifest entry listing the merged nodes (`7>3,9>4`: node 7 runs as node 3, ...);
/// absent when the job merged none (and in checkpoints of versions before sub-plan reuse).
pub(super) const REUSED_KEY: &str = "job.reused-nodes";

/// `merged` (node index to the index of the node it was merged into) as the manifest writes it.
fn text(merged: &BTreeMap<usize, usize>) -> String {
    merged.iter().map(|(node, into)| format!("{node}>{into}")).collect::<Vec<_>>().join(",")
}

impl Checkpoints {
    /// These checkpoints for a plan whose nodes `merged` (node index to the index of the node
    /// it was merged into) run as others: each checkpoint records them, and the restored one
    /// must have been taken of a plan that merged the same nodes (see the module
    /// documentation); the error names them by their ids in `ids` (by node index) and says
    /// which setting to restore with.
    pub fn with_reused_nodes(mut self, merged: BTreeMap<usize, usize>, ids: &[String]) -> Result<Checkpoints, RuntimeError> {
        let now = text(&merged);
        if let Some((storage, manifest)) = self.restored_manifest() {
            let then_text = restored_reused_nodes(manifest);
            if then_text != now {
                let (then, now) = (named(&then_text, ids), named(&now, ids));
                let at = storage.checkpoint_dir(manifest.epoch);
                let why = match (then.is_empty(), now.is_empty()) {
                    (true, _) => format!(
                        "it was taken of a plan that ran each of its equal sub-plans on its own (before sub-plan reuse, or with it off), and this plan merges nodes {now}; restore it with 'table.optimizer.reuse-sub-plan-enabled' = 'false'"
                    ),
                    (false, true) => format!(
                        "it was taken of a plan whose sub-plan reuse merged nodes {then}, and this plan runs them on their own; restore it with 'table.optimizer.reuse-sub-plan-enabled' and 'table.optimizer.reuse-source-enabled' as they were (default: 'true')"
                    ),
                    (false, false) => format!(
                        "it was taken of a plan whose sub-plan reuse merged nodes {then}, and this plan merges {now}: the query or its reuse settings changed"
                    ),
                };
                return Err(RuntimeError::Checkpoint(format!("checkpoint {} cannot be restored: {why}", at.display())));
            }
        }
        self.reused_nodes = (!now.is_empty()).then_some(now);
        Ok(self)
    }
}

/// The merged nodes of `text` (as [`text`] writes them) by their ids in `ids` (`"agg_7" as
/// "agg_3"`); an index without an id stays a number.
fn named(text: &str, ids: &[String]) -> String {
    let id = |index: &str| index.parse::<usize>().ok().and_then(|i| ids.get(i)).map_or_else(|| index.to_string(), |id| format!("\"{id}\""));
    text.split(',')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('>') {
            Some((node, into)) => format!("{} as {}", id(node), id(into)),
            None => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The merged nodes a checkpoint records (empty: none).
fn restored_reused_nodes(manifest: &CheckpointManifest) -> String {
    manifest.metadata.get(REUSED_KEY).cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use weir_state::CheckpointStorage;

    use super::*;
    use crate::job::{CheckpointConfig, Contribution, KeyGroups, find_checkpoint};

    /// Takes one checkpoint of a one-source job that merged `merged`, in `dir`.
    fn checkpoint(dir: &std::path::Path, merged: &BTreeMap<usize, usize>) {
        let config = CheckpointConfig {
            interval: Some(Duration::ZERO),
            storage: CheckpointStorage::new(dir),
            retained: 1,
            tolerable_failures: 0,
            timeout: Duration::from_secs(60),
        };
        let checkpoints = Checkpoints::new(config, None, 1, KeyGroups::default()).and_then(|c| c.with_reused_nodes(merged.clone(), &ids())).unwrap();
        checkpoints.register("source.0.s0");
        checkpoints.built();
        let id = checkpoints.poll().unwrap().expect("a checkpoint");
        checkpoints.contribute(id, "source.0.s0", Contribution::Source { offset: serde_json::json!({ "rows": 1 }), clock: None }).unwrap();
    }

    /// The ids of a ten-node plan: `n0` ... `n9`.
    fn ids() -> Vec<String> {
        (0..10).map(|i| format!("n{i}")).collect()
    }

    fn restore(dir: &std::path::Path, merged: &BTreeMap<usize, usize>) -> Result<Checkpoints, RuntimeError> {
        let config =
            CheckpointConfig { interval: None, storage: CheckpointStorage::new(dir), retained: 1, tolerable_failures: 0, timeout: Duration::from_secs(60) };
        Checkpoints::new(config, find_checkpoint(dir).ok(), 1, KeyGroups::default())?.with_reused_nodes(merged.clone(), &ids())
    }

    #[test]
    fn a_checkpoint_restores_only_into_a_plan_that_merged_the_same_nodes() {
        let merged = BTreeMap::from([(7, 3), (8, 4)]);
        let (with, without) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        checkpoint(with.path(), &merged);
        checkpoint(without.path(), &BTreeMap::new());
        let (_, manifest) = find_checkpoint(with.path()).unwrap();
        assert_eq!(manifest.metadata.get(REUSED_KEY).map(String::as_str), Some("7>3,8>4"));
        let (_, manifest) = find_checkpoint(without.path()).unwrap();
        assert!(!manifest.metadata.contains_key(REUSED_KEY), "nothing recorded when nothing was merged");

        assert!(restore(with.path(), &merged).is_ok());
        assert!(restore(without.path(), &BTreeMap::new()).is_ok());
        let error = restore(without.path(), &merged).expect_err("taken without reuse").to_string();
        assert!(
            error.contains(r#"merges nodes "n7" as "n3", "n8" as "n4""#) && error.contains("'table.optimizer.reuse-sub-plan-enabled' = 'false'"),
            "{error}"
        );
        let error = restore(with.path(), &BTreeMap::new()).expect_err("taken with reuse").to_string();
        assert!(error.contains(r#"merged nodes "n7" as "n3", "n8" as "n4", and this plan runs them on their own"#), "{error}");
        let error = restore(with.path(), &BTreeMap::from([(7, 3)])).expect_err("other merges").to_string();
        assert!(error.contains(r#"this plan merges "n7" as "n3""#), "{error}");
    }
}
