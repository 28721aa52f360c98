//! The generator alone: Weir's `nexmark` source producing q0's rows (the `bid` table, the
//! columns q0 reads) on `workers` threads, each draining its split into a buffer that is then
//! dropped. No dataflow: this is the part of every query's time spent making the events, so
//! engine cost is not hidden behind generation cost.

use std::time::{Duration, Instant};

use weir_core::connectors::nexmark::NexmarkTable;
use weir_core::connectors::{Options, SourcePoll, create_source};
use weir_core::types::Schema;

/// Rows made per poll, as the engine's source operator asks for.
const BATCH: usize = 1024;

/// What a generator-only run made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneratorRun {
    /// Rows made, over all workers.
    pub rows: u64,
    /// From starting the threads to the last one finishing.
    pub elapsed: Duration,
}

/// The columns q0 reads from `bid`.
fn q0_schema() -> Schema {
    let all = NexmarkTable::Bid.schema();
    let keep = ["auction", "bidder", "price", "dateTime", "extra"];
    Schema::new(all.fields.into_iter().filter(|f| keep.contains(&f.name.as_str())).collect())
}

/// Makes the `bid` rows of a stream of `events` events on `workers` threads.
pub fn run(events: u64, workers: usize, tps: u64) -> Result<GeneratorRun, String> {
    let options: Options = [("nexmark.table", "bid".to_string()), ("events.num", events.to_string()), ("first-event.rate", tps.to_string())]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let source = create_source("nexmark", &options, &q0_schema()).map_err(|e| e.to_string())?;
    let workers = workers.max(1);
    let started = Instant::now();
    let rows = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let source = &source;
                scope.spawn(move || -> Result<u64, String> {
                    let mut reader = source.open(w, workers, None).map_err(|e| e.to_string())?;
                    let (mut buf, mut made) = (Vec::with_capacity(BATCH), 0u64);
                    loop {
                        buf.clear();
                        let poll = reader.poll(&mut buf, BATCH).map_err(|e| e.to_string())?;
                        made += buf.len() as u64;
                        std::hint::black_box(&buf);
                        if poll == SourcePoll::Finished {
                            return Ok(made);
                        }
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().map_err(|_| "generator thread panicked".to_string())?).sum::<Result<u64, String>>()
    })?;
    Ok(GeneratorRun { rows, elapsed: started.elapsed() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_every_bid() {
        for workers in [1, 3] {
            assert_eq!(run(5_000, workers, 1000).unwrap().rows, 4_600);
        }
    }
}
