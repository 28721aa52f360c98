//! The three Nexmark tables as the Nexmark project's Flink SQL suite lays them out, and the
//! conversion of one generated event into a row of the columns a table declared.

use std::sync::Arc;

use nexmark::event::{Auction, Bid, Event, EventType, Person};

use super::super::ConnectorError;
use super::super::records::overwrite;
use crate::types::{DataType, Row, Schema, Value, edit_distance};

/// Which table of the Nexmark model a source produces (`'nexmark.table'`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NexmarkTable {
    /// `person(id, name, emailAddress, creditCard, city, state, dateTime, extra)`.
    Person,
    /// `auction(id, itemName, description, initialBid, reserve, dateTime, expires, seller,
    /// category, extra)`.
    Auction,
    /// `bid(auction, bidder, price, channel, url, dateTime, extra)`.
    Bid,
}

const PERSON: &[(&str, DataType)] = &[
    ("id", DataType::BigInt),
    ("name", DataType::String),
    ("emailAddress", DataType::String),
    ("creditCard", DataType::String),
    ("city", DataType::String),
    ("state", DataType::String),
    ("dateTime", DataType::Timestamp),
    ("extra", DataType::String),
];

const AUCTION: &[(&str, DataType)] = &[
    ("id", DataType::BigInt),
    ("itemName", DataType::String),
    ("description", DataType::String),
    ("initialBid", DataType::BigInt),
    ("reserve", DataType::BigInt),
    ("dateTime", DataType::Timestamp),
    ("expires", DataType::Timestamp),
    ("seller", DataType::BigInt),
    ("category", DataType::BigInt),
    ("extra", DataType::String),
];

const BID: &[(&str, DataType)] = &[
    ("auction", DataType::BigInt),
    ("bidder", DataType::BigInt),
    ("price", DataType::BigInt),
    ("channel", DataType::String),
    ("url", DataType::String),
    ("dateTime", DataType::Timestamp),
    ("extra", DataType::String),
];

impl NexmarkTable {
    /// The table named `name` (`person`, `auction`, `bid`, any case).
    pub fn parse(name: &str) -> Option<NexmarkTable> {
        match name.trim().to_ascii_lowercase().as_str() {
            "person" => Some(NexmarkTable::Person),
            "auction" => Some(NexmarkTable::Auction),
            "bid" => Some(NexmarkTable::Bid),
            _ => None,
        }
    }

    /// The table's name as written in `'nexmark.table'`.
    pub fn name(self) -> &'static str {
        match self {
            NexmarkTable::Person => "person",
            NexmarkTable::Auction => "auction",
            NexmarkTable::Bid => "bid",
        }
    }

    /// The generator's event type whose events are this table's rows.
    pub fn event_type(self) -> EventType {
        match self {
            NexmarkTable::Person => EventType::Person,
            NexmarkTable::Auction => EventType::Auction,
            NexmarkTable::Bid => EventType::Bid,
        }
    }

    /// Every column of the table, in the Flink suite's order, with its type.
    pub fn columns(self) -> &'static [(&'static str, DataType)] {
        match self {
            NexmarkTable::Person => PERSON,
            NexmarkTable::Auction => AUCTION,
            NexmarkTable::Bid => BID,
        }
    }

    /// The full schema of the table (every column, nullable as Flink's DDL declares them).
    pub fn schema(self) -> Schema {
        Schema::new(self.columns().iter().map(|(n, t)| crate::types::Field::new(*n, *t)).collect())
    }

    /// For each column of `schema`, the index of the table column it reads: names match
    /// exactly or, failing that, ignoring case; types must be the table's. Any subset of the
    /// columns in any order is allowed.
    pub fn project(self, schema: &Schema) -> Result<Vec<usize>, ConnectorError> {
        let columns = self.columns();
        schema
            .fields
            .iter()
            .map(|field| {
                let index = columns
                    .iter()
                    .position(|(n, _)| *n == field.name)
                    .or_else(|| columns.iter().position(|(n, _)| n.eq_ignore_ascii_case(&field.name)))
                    .ok_or_else(|| self.unknown_column(&field.name))?;
                let (name, expected) = columns[index];
                if field.data_type != expected {
                    return Err(ConnectorError::general(format!(
                        "column '{}' of nexmark table '{}' has type {expected}, not {}; declare it as `{name} {expected}`",
                        field.name,
                        self.name(),
                        field.data_type
                    )));
                }
                Ok(index)
            })
            .collect()
    }

    fn unknown_column(self, name: &str) -> ConnectorError {
        let names: Vec<&str> = self.columns().iter().map(|(n, _)| *n).collect();
        let closest = names
            .iter()
            .map(|n| (edit_distance(&n.to_ascii_lowercase(), &name.to_ascii_lowercase()), *n))
            .filter(|(d, _)| *d <= 3)
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| format!(" (did you mean '{n}'?)"))
            .unwrap_or_default();
        ConnectorError::general(format!("nexmark table '{}' has no column '{name}'{closest}; its columns: {}", self.name(), names.join(", ")))
    }
}

/// The row of `event` holding the columns `project` lists (indices into the columns of the
/// event's own table), in that order; a `None` column is NULL (one no reader uses, which is
/// not built).
pub fn event_row(event: &Event, project: &[Option<usize>]) -> Row {
    let mut row = Row::nulls(project.len());
    if let Some(values) = row.values_mut() {
        write_event(event, project, values);
    }
    row
}

/// Writes the columns `project` lists of `event` into `values` (as [`event_row`] builds them;
/// `values` as wide as `project`), leaving the `None` columns as they are.
pub fn write_event(event: &Event, project: &[Option<usize>], values: &mut [Value]) {
    let columns = project.iter().zip(values).filter_map(|(&c, slot)| Some((c?, slot)));
    match event {
        Event::Person(p) => columns.for_each(|(c, slot)| overwrite(slot, person_value(p, c))),
        Event::Auction(a) => columns.for_each(|(c, slot)| overwrite(slot, auction_value(a, c))),
        Event::Bid(b) => columns.for_each(|(c, slot)| overwrite(slot, bid_value(b, c))),
    }
}

fn id(n: usize) -> Value {
    Value::BigInt(n as i64)
}

fn text(s: &str) -> Value {
    Value::String(Arc::from(s))
}

fn time(ms: u64) -> Value {
    Value::Timestamp(ms as i64)
}

#[inline]
fn person_value(p: &Person, column: usize) -> Value {
    match column {
        0 => id(p.id),
        1 => text(&p.name),
        2 => text(&p.email_address),
        3 => text(&p.credit_card),
        4 => text(&p.city),
        // The Java generator of the Flink suite spells US states in capitals ("OR", "ID",
        // "CA"); the Rust crate in lower case. Queries (q3) compare with 'OR', so match Java.
        5 => text(&p.state.to_ascii_uppercase()),
        6 => time(p.date_time),
        _ => text(&p.extra),
    }
}

#[inline]
fn auction_value(a: &Auction, column: usize) -> Value {
    match column {
        0 => id(a.id),
        1 => text(&a.item_name),
        2 => text(&a.description),
        3 => id(a.initial_bid),
        4 => id(a.reserve),
        5 => time(a.date_time),
        6 => time(a.expires),
        7 => id(a.seller),
        8 => id(a.category),
        _ => text(&a.extra),
    }
}

#[inline]
fn bid_value(b: &Bid, column: usize) -> Value {
    match column {
        0 => id(b.auction),
        1 => id(b.bidder),
        2 => id(b.price),
        3 => text(&b.channel),
        4 => text(&b.url),
        5 => time(b.date_time),
        _ => text(&b.extra),
    }
}
