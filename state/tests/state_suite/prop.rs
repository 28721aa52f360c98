//! Property: a random sequence of state and timer operations, with clock moves and
//! snapshot/restore round trips in between, gives the same observable results on the memory and
//! RocksDB backends as on a plain reference model (hash maps and a sorted set, TTL by hand), and
//! both backends end with the same logical content.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use proptest::prelude::*;
use weir_state::backend::dump;
use weir_state::{ListState, MapState, ReducingState, StateTtlConfig, TimeDomain, Timer, TimerService, TtlUpdateType, ValueState};

use crate::fixture::Fixture;

#[derive(Debug, Clone)]
enum Op {
    ValuePut(u8, u8, u16),
    ValueGet(u8, u8),
    ValueClear(u8, u8),
    ListAdd(u8, u8, u16),
    ListUpdate(u8, u8, Vec<u16>),
    ListGet(u8, u8),
    MapPut(u8, u8, i8, u16),
    MapRemove(u8, u8, i8),
    MapEntries(u8, u8),
    /// `range`, `drain_range` (0, 1) or `remove_range` (2) over `lo..=hi`.
    MapRange(u8, u8, i8, i8, u8),
    ReduceAdd(u8, u8, u16),
    ReduceGet(u8, u8),
    TimerRegister(u8, u8, i64),
    TimerDelete(u8, u8, i64),
    TimerPop(i64),
    Advance(i64),
    Cleanup,
    SnapshotRestore,
}

fn op() -> impl Strategy<Value = Op> {
    let k = 0u8..4;
    let ns = 0u8..3;
    prop_oneof![
        (k.clone(), ns.clone(), any::<u16>()).prop_map(|(k, n, v)| Op::ValuePut(k, n, v)),
        (k.clone(), ns.clone()).prop_map(|(k, n)| Op::ValueGet(k, n)),
        (k.clone(), ns.clone()).prop_map(|(k, n)| Op::ValueClear(k, n)),
        (k.clone(), ns.clone(), any::<u16>()).prop_map(|(k, n, v)| Op::ListAdd(k, n, v)),
        (k.clone(), ns.clone(), prop::collection::vec(any::<u16>(), 0..4)).prop_map(|(k, n, v)| Op::ListUpdate(k, n, v)),
        (k.clone(), ns.clone()).prop_map(|(k, n)| Op::ListGet(k, n)),
        (k.clone(), ns.clone(), -4i8..4, any::<u16>()).prop_map(|(k, n, u, v)| Op::MapPut(k, n, u, v)),
        (k.clone(), ns.clone(), -4i8..4).prop_map(|(k, n, u)| Op::MapRemove(k, n, u)),
        (k.clone(), ns.clone()).prop_map(|(k, n)| Op::MapEntries(k, n)),
        (k.clone(), ns.clone(), -5i8..5, -5i8..5, 0u8..3).prop_map(|(k, n, lo, hi, how)| Op::MapRange(k, n, lo, hi, how)),
        (k.clone(), ns.clone(), any::<u16>()).prop_map(|(k, n, v)| Op::ReduceAdd(k, n, v)),
        (k.clone(), ns.clone()).prop_map(|(k, n)| Op::ReduceGet(k, n)),
        (k.clone(), ns.clone(), -5i64..20).prop_map(|(k, n, t)| Op::TimerRegister(k, n, t)),
        (k, ns, -5i64..20).prop_map(|(k, n, t)| Op::TimerDelete(k, n, t)),
        (-5i64..25).prop_map(Op::TimerPop),
        (0i64..60).prop_map(Op::Advance),
        Just(Op::Cleanup),
        Just(Op::SnapshotRestore),
    ]
}

/// The states the operations act on; some with TTL so clock moves matter.
struct States {
    value: ValueState<u16, u8>,
    list: ListState<u16, u8>,
    map: MapState<i8, u16, u8>,
    reduce: ReducingState<u16, fn(&u16, &u16) -> u16, u8>,
    timers: TimerService<u8>,
}

impl States {
    fn new() -> Self {
        let ttl = StateTtlConfig::new(Duration::from_millis(100));
        fn add(a: &u16, b: &u16) -> u16 {
            a.wrapping_add(*b)
        }
        States {
            value: ValueState::new("value").with_ttl(ttl.with_update_type(TtlUpdateType::OnReadAndWrite)),
            list: ListState::new("list").with_ttl(ttl),
            map: MapState::new("map"),
            reduce: ReducingState::new("reduce", add as fn(&u16, &u16) -> u16).with_ttl(ttl),
            timers: TimerService::new("op"),
        }
    }
}

/// Applies `op` and returns what it observed, as text.
fn apply(f: &mut Fixture, s: &States, op: &Op, epoch: &mut u64) -> String {
    let st = &mut f.store;
    match op.clone() {
        Op::ValuePut(k, n, v) => format!("{:?}", s.value.update(st, &[k], &n, &v)),
        Op::ValueGet(k, n) => format!("{:?}", s.value.get(st, &[k], &n)),
        Op::ValueClear(k, n) => format!("{:?}", s.value.clear(st, &[k], &n)),
        Op::ListAdd(k, n, v) => format!("{:?}", s.list.add(st, &[k], &n, &v)),
        Op::ListUpdate(k, n, v) => format!("{:?}", s.list.update(st, &[k], &n, &v)),
        Op::ListGet(k, n) => format!("{:?}", s.list.get(st, &[k], &n)),
        Op::MapPut(k, n, u, v) => format!("{:?}", s.map.put(st, &[k], &n, &u, &v)),
        Op::MapRemove(k, n, u) => format!("{:?}", s.map.remove(st, &[k], &n, &u)),
        Op::MapEntries(k, n) => format!("{:?}", s.map.entries(st, &[k], &n)),
        Op::MapRange(k, n, lo, hi, 0) => format!("{:?}", s.map.range(st, &[k], &n, lo..=hi)),
        Op::MapRange(k, n, lo, hi, 1) => format!("{:?}", s.map.drain_range(st, &[k], &n, lo..=hi)),
        Op::MapRange(k, n, lo, hi, _) => format!("{:?}", s.map.remove_range(st, &[k], &n, lo..=hi)),
        Op::ReduceAdd(k, n, v) => format!("{:?}", s.reduce.add(st, &[k], &n, &v)),
        Op::ReduceGet(k, n) => format!("{:?}", s.reduce.get(st, &[k], &n)),
        Op::TimerRegister(k, n, t) => {
            format!("{:?}", s.timers.register_event_time_timer(st, &[k], &n, t))
        }
        Op::TimerDelete(k, n, t) => {
            format!("{:?}", s.timers.delete_event_time_timer(st, &[k], &n, t))
        }
        Op::TimerPop(t) => format!("{:?}", s.timers.pop_due(st, TimeDomain::EventTime, t)),
        Op::Advance(ms) => {
            f.clock.advance(ms);
            String::new()
        }
        Op::Cleanup => format!("{:?} {:?} {:?}", s.value.cleanup_expired(st), s.list.cleanup_expired(st), s.reduce.cleanup_expired(st)),
        Op::SnapshotRestore => {
            *epoch += 1;
            let before = dump(f.store.backend()).expect("dump");
            f.snapshot(*epoch);
            let config = f.config.clone();
            f.restore_latest_as(&config);
            assert_eq!(dump(f.store.backend()).expect("dump"), before, "snapshot round trip changed state");
            String::new()
        }
    }
}

const TTL: i64 = 100;
const START: i64 = 1_000;

/// The sequential reference: what the operations mean, without any encoding or backend.
#[derive(Default)]
struct Model {
    now: i64,
    value: HashMap<(u8, u8), (u16, i64)>,
    list: HashMap<(u8, u8), Vec<(u16, i64)>>,
    map: HashMap<(u8, u8), BTreeMap<i8, u16>>,
    reduce: HashMap<(u8, u8), (u16, i64)>,
    timers: BTreeSet<(i64, u8, u8)>,
}

fn ok<T: std::fmt::Debug>(value: T) -> String {
    format!("{:?}", Ok::<T, ()>(value))
}

impl Model {
    fn live(&self, stamp: i64) -> bool {
        stamp + TTL > self.now
    }

    /// Drops expired list elements of `at`; returns whether anything was dropped.
    fn expire_list(&mut self, at: (u8, u8)) -> bool {
        let now = self.now;
        let Some(list) = self.list.get_mut(&at) else {
            return false;
        };
        let before = list.len();
        list.retain(|(_, stamp)| stamp + TTL > now);
        let changed = list.len() != before;
        if list.is_empty() {
            self.list.remove(&at);
        }
        changed
    }

    fn apply(&mut self, op: &Op) -> String {
        let now = self.now;
        match op.clone() {
            Op::ValuePut(k, n, v) => {
                self.value.insert((k, n), (v, now));
                ok(())
            }
            Op::ValueGet(k, n) => match self.value.get(&(k, n)).copied() {
                Some((v, stamp)) if self.live(stamp) => {
                    self.value.insert((k, n), (v, now));
                    ok(Some(v))
                }
                _ => {
                    self.value.remove(&(k, n));
                    ok(None::<u16>)
                }
            },
            Op::ValueClear(k, n) => {
                self.value.remove(&(k, n));
                ok(())
            }
            Op::ListAdd(k, n, v) => {
                self.list.entry((k, n)).or_default().push((v, now));
                ok(())
            }
            Op::ListUpdate(k, n, vs) => {
                if vs.is_empty() {
                    self.list.remove(&(k, n));
                } else {
                    self.list.insert((k, n), vs.iter().map(|v| (*v, now)).collect());
                }
                ok(())
            }
            Op::ListGet(k, n) => {
                self.expire_list((k, n));
                ok(self.list.get(&(k, n)).map(|l| l.iter().map(|(v, _)| *v).collect::<Vec<u16>>()).unwrap_or_default())
            }
            Op::MapPut(k, n, u, v) => {
                self.map.entry((k, n)).or_default().insert(u, v);
                ok(())
            }
            Op::MapRemove(k, n, u) => {
                if let Some(m) = self.map.get_mut(&(k, n)) {
                    m.remove(&u);
                }
                ok(())
            }
            Op::MapEntries(k, n) => ok(self.map.get(&(k, n)).map(|m| m.iter().map(|(u, v)| (*u, *v)).collect::<Vec<(i8, u16)>>()).unwrap_or_default()),
            Op::MapRange(k, n, lo, hi, how) => {
                let map = self.map.entry((k, n)).or_default();
                let within: Vec<(i8, u16)> = map.iter().filter(|(u, _)| (lo..=hi).contains(*u)).map(|(u, v)| (*u, *v)).collect();
                if how > 0 {
                    map.retain(|u, _| !(lo..=hi).contains(u));
                }
                if how == 2 { ok(within.len()) } else { ok(within) }
            }
            Op::ReduceAdd(k, n, v) => {
                let next = match self.reduce.get(&(k, n)) {
                    Some((acc, stamp)) if self.live(*stamp) => acc.wrapping_add(v),
                    _ => v,
                };
                self.reduce.insert((k, n), (next, now));
                ok(())
            }
            Op::ReduceGet(k, n) => match self.reduce.get(&(k, n)).copied() {
                Some((v, stamp)) if self.live(stamp) => ok(Some(v)),
                _ => {
                    self.reduce.remove(&(k, n));
                    ok(None::<u16>)
                }
            },
            Op::TimerRegister(k, n, t) => {
                self.timers.insert((t, k, n));
                ok(())
            }
            Op::TimerDelete(k, n, t) => {
                self.timers.remove(&(t, k, n));
                ok(())
            }
            Op::TimerPop(up_to) => {
                let later = self.timers.split_off(&(up_to + 1, 0, 0));
                let due = std::mem::replace(&mut self.timers, later);
                ok(due
                    .into_iter()
                    .map(|(timestamp, k, namespace)| Timer { domain: TimeDomain::EventTime, timestamp, key: vec![k], namespace })
                    .collect::<Vec<_>>())
            }
            Op::Advance(ms) => {
                self.now += ms;
                String::new()
            }
            Op::Cleanup => {
                let before = (self.value.len(), self.reduce.len());
                self.value.retain(|_, (_, stamp)| *stamp + TTL > now);
                self.reduce.retain(|_, (_, stamp)| *stamp + TTL > now);
                let keys: Vec<(u8, u8)> = self.list.keys().copied().collect();
                let lists = keys.into_iter().filter(|at| self.expire_list(*at)).count() as u64;
                format!("{} {} {}", ok((before.0 - self.value.len()) as u64), ok(lists), ok((before.1 - self.reduce.len()) as u64))
            }
            Op::SnapshotRestore => String::new(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn memory_and_rocksdb_agree(ops in prop::collection::vec(op(), 1..60)) {
        let states = States::new();
        let mut memory = Fixture::memory();
        let mut rocks = Fixture::rocksdb();
        let mut model = Model { now: START, ..Model::default() };
        let (mut epoch_m, mut epoch_r) = (0, 0);
        for (i, op) in ops.iter().enumerate() {
            let expected = model.apply(op);
            let a = apply(&mut memory, &states, op, &mut epoch_m);
            let b = apply(&mut rocks, &states, op, &mut epoch_r);
            prop_assert_eq!(&a, &expected, "memory backend, step {} {:?}", i, op);
            prop_assert_eq!(&b, &expected, "RocksDB backend, step {} {:?}", i, op);
        }
        prop_assert_eq!(dump(memory.store.backend()).unwrap(), dump(rocks.store.backend()).unwrap());
    }
}
