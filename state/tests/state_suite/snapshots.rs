//! Snapshot and restore: round trips, newest complete checkpoint, corruption, cross-backend.

use std::collections::BTreeMap;

use weir_state::backend::dump;
use weir_state::{CheckpointStorage, ListState, MapState, PartManifest, StateBackendConfig, StateError, TimeDomain, TimerService, ValueState};

use crate::fixture::Fixture;

fn fill(f: &mut Fixture, tag: u64) {
    let v: ValueState<u64, u8> = ValueState::new("v");
    let l: ListState<String> = ListState::new("l");
    let m: MapState<i64, u64> = MapState::new("m");
    let t: TimerService<u8> = TimerService::new("op");
    let st = &mut f.store;
    for k in 0..20u8 {
        let key = [k, b'x'];
        v.update(st, &key, &(k % 3), &(tag + u64::from(k))).unwrap();
        l.add(st, &key, &(), &format!("{tag}-{k}")).unwrap();
        m.put(st, &key, &(), &(i64::from(k) - 10), &tag).unwrap();
        t.register_event_time_timer(st, &key, &k, i64::from(k) * 100).unwrap();
    }
}

fn restore_round_trips_state_and_timers(f: &mut Fixture) {
    fill(f, 1);
    let before = dump(f.store.backend()).unwrap();
    f.snapshot(5);
    // Writes after the snapshot are not part of it.
    fill(f, 2);
    let config = f.config.clone();
    assert_eq!(f.restore_latest_as(&config), 5);
    assert_eq!(dump(f.store.backend()).unwrap(), before);
    let t: TimerService<u8> = TimerService::new("op");
    let due = t.pop_due(&mut f.store, TimeDomain::EventTime, 150).unwrap();
    assert_eq!(due.iter().map(|t| t.timestamp).collect::<Vec<_>>(), vec![0, 100]);
    // The restored backend is writable.
    let v: ValueState<u64, u8> = ValueState::new("v");
    v.update(&mut f.store, b"new", &0, &7).unwrap();
    assert_eq!(v.get(&mut f.store, b"new", &0).unwrap(), Some(7));
}

fn newest_complete_checkpoint_wins(f: &mut Fixture) {
    fill(f, 1);
    f.snapshot(1);
    fill(f, 2);
    let second = dump(f.store.backend()).unwrap();
    f.snapshot(2);
    fill(f, 3);
    // Epoch 3: part written, manifest never committed (a crash mid-checkpoint).
    let storage = f.checkpoints();
    storage.write_part(3, "worker-0", f.store.backend_mut()).unwrap();
    assert_eq!(storage.epochs().unwrap(), vec![1, 2, 3]);
    let config = f.config.clone();
    assert_eq!(f.restore_latest_as(&config), 2);
    assert_eq!(dump(f.store.backend()).unwrap(), second);
    assert_eq!(storage.prune(1).unwrap(), vec![1]);
    assert_eq!(storage.epochs().unwrap(), vec![2, 3]);
}

/// The largest file of a part that no other checkpoint shares. RocksDB checkpoints hard-link
/// table files, so two checkpoints of unchanged data share inodes: damaging a shared file would
/// damage both.
fn unshared_largest_file(storage: &CheckpointStorage, epoch: u64, part: &PartManifest) -> String {
    use std::os::unix::fs::MetadataExt;
    let dir = storage.checkpoint_dir(epoch).join(&part.name);
    part.files
        .iter()
        .filter(|file| file.bytes > 0)
        .filter(|file| std::fs::metadata(dir.join(&file.path)).unwrap().nlink() == 1)
        .max_by_key(|file| file.bytes)
        .expect("a part has at least one unshared non-empty file")
        .path
        .clone()
}

fn damaged_checkpoints_are_skipped_or_reported(f: &mut Fixture) {
    fill(f, 1);
    f.snapshot(1);
    f.snapshot(2);
    let storage = f.checkpoints();
    let manifest = storage.load(2).unwrap();
    let part = manifest.part("worker-0").unwrap();
    let victim = storage.checkpoint_dir(2).join("worker-0").join(unshared_largest_file(&storage, 2, part));
    let len = std::fs::metadata(&victim).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&victim).unwrap().set_len(len / 2).unwrap();
    assert!(matches!(storage.load(2), Err(StateError::CorruptSnapshot { .. })));
    assert_eq!(storage.latest().unwrap().map(|m| m.epoch), Some(1));
    std::fs::write(storage.checkpoint_dir(1).join("MANIFEST.json"), b"{ not json").unwrap();
    assert!(matches!(storage.load(1), Err(StateError::Manifest { .. })));
    assert!(matches!(storage.restore_latest("worker-0", &f.config, 1), Err(StateError::NoCheckpoint { .. })));
    assert!(matches!(manifest.part("worker-9"), Err(StateError::MissingPart { .. })));
}

fn snapshot_refuses_existing_directory(f: &mut Fixture) {
    let dir = f.dir.path().join("taken");
    std::fs::create_dir_all(&dir).unwrap();
    assert!(matches!(f.store.backend_mut().snapshot_to(&dir), Err(StateError::InvalidArgument { .. })));
    let storage = f.checkpoints();
    assert!(matches!(storage.write_part(1, "../escape", f.store.backend_mut()), Err(StateError::InvalidArgument { .. })));
}

fn restores_into_the_other_backend(f: &mut Fixture) {
    fill(f, 1);
    let before = dump(f.store.backend()).unwrap();
    let storage = f.checkpoints();
    let part = storage.write_part(9, "worker-0", f.store.backend_mut()).unwrap();
    let mut meta = BTreeMap::new();
    meta.insert("source-offset".to_string(), "123".to_string());
    storage.commit(9, vec![part], meta).unwrap();
    let other = match f.config {
        StateBackendConfig::Memory => StateBackendConfig::rocksdb(f.dir.path().join("other-db")),
        StateBackendConfig::RocksDb(_) => StateBackendConfig::Memory,
    };
    let (manifest, backend) = storage.restore_latest("worker-0", &other, 0).unwrap();
    assert_eq!(manifest.metadata.get("source-offset").map(String::as_str), Some("123"));
    assert_eq!(backend.kind(), other.kind());
    assert_eq!(dump(backend.as_ref()).unwrap(), before);
}

backend_suite!(
    restore_round_trips_state_and_timers,
    newest_complete_checkpoint_wins,
    damaged_checkpoints_are_skipped_or_reported,
    snapshot_refuses_existing_directory,
    restores_into_the_other_backend,
);

#[test]
fn missing_root_has_no_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let storage = CheckpointStorage::new(dir.path().join("nothing"));
    assert_eq!(storage.latest().unwrap(), None);
    assert!(storage.epochs().unwrap().is_empty());
}
