//! The options of the `nexmark` source, read into the generator's configuration, and how many
//! events of each table a bounded stream holds.

use nexmark::config::{NexmarkConfig, RateShape};

use super::super::options::{bad_value, check_known, missing, parse_opt};
use super::super::{ConnectorError, Options};
use super::columns::NexmarkTable;

/// Every option the connector knows, as shown in errors.
pub const KNOWN: &[&str] = &[
    "nexmark.table",
    "events.num",
    "first-event.rate",
    "next-event.rate",
    "rate.shape",
    "rate.period",
    "person.proportion",
    "auction.proportion",
    "bid.proportion",
    "base-time",
    "seed",
];

/// Event time of the first event when `base-time` is not given: 2023-11-14T22:13:20Z
/// (1,700,000,000,000 ms), pinned so every run produces the same rows.
pub const DEFAULT_BASE_TIME_MS: u64 = 1_700_000_000_000;

/// Events per second of event time when `first-event.rate` is not given (the default of the
/// Nexmark generators and of Flink's Nexmark connector).
pub const DEFAULT_RATE: usize = 10_000;

/// Largest `seed`: seeds shift the generator's event ids by `seed × 2^32` stream lengths, and
/// ids must stay well inside BIGINT.
pub const MAX_SEED: u64 = 65_535;

/// The source's settings, checked.
#[derive(Clone, Debug)]
pub struct NexmarkSettings {
    /// The table produced.
    pub table: NexmarkTable,
    /// Events of the whole stream (all three tables), when bounded.
    pub events: Option<u64>,
    /// The generator's configuration (base time, rates, proportions, seed applied).
    pub config: NexmarkConfig,
}

impl NexmarkSettings {
    /// Reads and checks `options`.
    pub fn from_options(options: &Options) -> Result<NexmarkSettings, ConnectorError> {
        check_known("nexmark", options, KNOWN, |k| KNOWN.contains(&k))?;
        let table_name = options.get("nexmark.table").ok_or_else(|| missing("nexmark", "nexmark.table"))?;
        let table = NexmarkTable::parse(table_name).ok_or_else(|| bad_value("nexmark.table", table_name, "person, auction or bid"))?;
        let events = parse_opt::<u64>(options, "events.num", "a non-negative integer (0: unbounded)")?.filter(|&n| n > 0);

        let mut config = NexmarkConfig { base_time: DEFAULT_BASE_TIME_MS, first_rate: DEFAULT_RATE, next_rate: DEFAULT_RATE, ..NexmarkConfig::default() };
        if let Some(rate) = positive(options, "first-event.rate")? {
            config.first_rate = rate;
            config.next_rate = rate;
        }
        if let Some(rate) = positive(options, "next-event.rate")? {
            config.next_rate = rate;
        }
        config.rate_shape = match options.get("rate.shape").map(|s| s.trim().to_ascii_lowercase()) {
            None => RateShape::Square,
            Some(s) if s == "square" => RateShape::Square,
            Some(s) if s == "sine" => RateShape::Sine,
            Some(_) => return Err(bad_value("rate.shape", &options["rate.shape"], "square or sine")),
        };
        if let Some(period) = positive(options, "rate.period")? {
            config.rate_period = period;
        }
        if let Some(p) = positive(options, "person.proportion")? {
            config.person_proportion = p;
        }
        if let Some(p) = positive(options, "auction.proportion")? {
            config.auction_proportion = p;
        }
        if let Some(p) = positive(options, "bid.proportion")? {
            config.bid_proportion = p;
        }
        if let Some(t) = parse_opt::<u64>(options, "base-time", "milliseconds since 1970-01-01T00:00:00Z")? {
            config.base_time = t;
        }
        let seed = parse_opt::<u64>(options, "seed", "an integer from 0 to 65535")?.unwrap_or(0);
        if seed > MAX_SEED {
            return Err(bad_value("seed", &options["seed"], "an integer from 0 to 65535"));
        }
        // Every value of an event is drawn from a generator seeded by its event id, so moving the
        // ids by a multiple of the proportion cycle changes all random content while keeping each
        // event's type and the relations between ids (bids name auctions and persons that exist).
        config.first_event_id = (seed as usize) * denominator(&config) * (1usize << 32);
        Ok(NexmarkSettings { table, events, config })
    }

    /// How many rows of the table the bounded stream holds (`None`: unbounded).
    pub fn table_rows(&self) -> Option<u64> {
        self.events.map(|n| rows_of(&self.config, self.table, n))
    }
}

/// Events in one cycle of the proportions (50 by default: 1 person, 3 auctions, 46 bids).
fn denominator(config: &NexmarkConfig) -> usize {
    config.person_proportion + config.auction_proportion + config.bid_proportion
}

/// How many of the first `events` events of the stream belong to `table`.
pub fn rows_of(config: &NexmarkConfig, table: NexmarkTable, events: u64) -> u64 {
    let den = denominator(config) as u64;
    let (full, rem) = (events / den, events % den);
    let (p, a, b) = (config.person_proportion as u64, config.auction_proportion as u64, config.bid_proportion as u64);
    let (share, before) = match table {
        NexmarkTable::Person => (p, 0),
        NexmarkTable::Auction => (a, p),
        NexmarkTable::Bid => (b, p + a),
    };
    full * share + rem.saturating_sub(before).min(share)
}

fn positive(options: &Options, key: &str) -> Result<Option<usize>, ConnectorError> {
    match parse_opt::<usize>(options, key, "a positive integer")? {
        Some(0) => Err(bad_value(key, &options[key], "a positive integer")),
        other => Ok(other),
    }
}
