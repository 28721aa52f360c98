//! The state crate's integration suite: every behaviour test runs against both backends.

mod fixture;

/// Generates a `memory` and a `rocksdb` module, each with one `#[test]` per named generic test
/// function (`fn name(f: &mut Fixture)` in the calling module).
macro_rules! backend_suite {
    ($($test:ident),* $(,)?) => {
        mod memory {
            $(#[test]
            fn $test() {
                super::$test(&mut crate::fixture::Fixture::memory());
            })*
        }
        mod rocksdb {
            $(#[test]
            fn $test() {
                super::$test(&mut crate::fixture::Fixture::rocksdb());
            })*
        }
    };
}

mod backends;
mod primitives;
mod prop;
mod ranges;
mod snapshots;
mod timers;
mod ttl;

/// What operators hand to worker threads must be `Send + Sync`; the backends need not be.
#[test]
fn configs_and_descriptors_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<weir_state::StateBackendConfig>();
    send_sync::<weir_state::CheckpointStorage>();
    send_sync::<weir_state::ValueState<std::rc::Rc<u8>, (i64, i64)>>();
    send_sync::<weir_state::ListState<u64>>();
    send_sync::<weir_state::MapState<String, u64, u32>>();
    send_sync::<weir_state::ReducingState<u64, fn(&u64, &u64) -> u64>>();
    send_sync::<weir_state::TimerService<(i64, i64)>>();
}
