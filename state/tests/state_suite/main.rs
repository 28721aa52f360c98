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
mod snapshots;
mod timers;
mod ttl;
