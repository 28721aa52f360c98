//! A hash table of aggregation groups for the local combiner, built so that folding a row
//! costs about one cache miss, and the misses of a chunk of rows overlap.
//!
//! The table is open addressing with linear probing, and its slots *are* the groups: each is
//! a row of plain 64-bit words — the key when its values are integers, dates, times or
//! timestamps (one word each, and one of NULL bits when there are several; else the group's
//! number, which indexes its key `Row`), then the states of the aggregates that have a scalar
//! form ([`ScalarKind`]: COUNT, integer SUM/MIN/MAX, DOUBLE SUM) — beside a byte per slot
//! saying whether it is taken (and 7 bits of its key's hash). A lookup reads that byte (a
//! small array, mostly in cache) and the slot's row, which the fold then updates in place.
//! Aggregates without a scalar form keep an [`Accumulator`] each in a second arena, indexed
//! by the group's number (kept in the row too).
//!
//! Rows are folded a chunk at a time ([`RowChunk`]): the chunk's keys are hashed first and
//! each one's home slot read once, so that the CPU fetches the chunk's groups from memory in
//! parallel instead of one after another (100,000 groups are megabytes, beyond the caches
//! closest to the core).

use std::hash::BuildHasher;

use foldhash::fast::RandomState;

use crate::connectors::IntegerRows;
use crate::types::{DataType, Row, Value};

use super::accumulate::Accumulator;
use super::accumulate_scalar::ScalarKind;
use super::aggregate::AggregateSlot;

/// Rows folded together (see the module documentation).
const CHUNK_ROWS: usize = 32;
/// How many rows ahead [`GroupTable::fold_integers`] reads a row's home slot.
const PREFETCH_AHEAD: usize = 16;
/// Slots of a new table (a power of two).
const INITIAL_SLOTS: usize = 16;
/// Scalar states that need a "holds a value" bit beyond this many keep an [`Accumulator`].
const FLAG_BITS: u32 = u64::BITS;

/// Rows waiting to be folded into a [`GroupTable`] together: per row its key values, its
/// slot values and its multiplicity.
pub(super) struct RowChunk {
    key_len: usize,
    width: usize,
    keys: Vec<Value>,
    values: Vec<Value>,
    copies: Vec<isize>,
}

impl RowChunk {
    /// An empty chunk of rows with `key_len` key values and `width` slot values each.
    pub(super) fn new(key_len: usize, width: usize) -> RowChunk {
        RowChunk {
            key_len,
            width,
            keys: Vec::with_capacity(key_len * CHUNK_ROWS),
            values: Vec::with_capacity(width * CHUNK_ROWS),
            copies: Vec::with_capacity(CHUNK_ROWS),
        }
    }

    /// True when the chunk should be folded before another row is added.
    pub(super) fn is_full(&self) -> bool {
        self.copies.len() >= CHUNK_ROWS
    }

    /// True when it holds no row.
    pub(super) fn is_empty(&self) -> bool {
        self.copies.is_empty()
    }

    /// The buffers the next row's key values and slot values are appended to; then
    /// [`RowChunk::push`] keeps them or [`RowChunk::discard`] drops them.
    pub(super) fn buffers(&mut self) -> (&mut Vec<Value>, &mut Vec<Value>) {
        (&mut self.keys, &mut self.values)
    }

    /// Keeps the appended row, with multiplicity `copies`.
    pub(super) fn push(&mut self, copies: isize) {
        self.copies.push(copies);
    }

    /// Drops whatever was appended since the last [`RowChunk::push`].
    pub(super) fn discard(&mut self) {
        self.keys.truncate(self.copies.len() * self.key_len);
        self.values.truncate(self.copies.len() * self.width);
    }

    fn clear(&mut self) {
        self.keys.clear();
        self.values.clear();
        self.copies.clear();
    }
}

/// Groups of one time and their aggregates' running states.
pub struct GroupTable {
    keys: Keys,
    hasher: RandomState,
    layout: Layout,
    /// Per slot: 0 when free, else `0x80` with the top 7 bits of its key's hash.
    tags: Vec<u8>,
    /// `layout.stride` words per slot.
    rows: Vec<u64>,
    /// Slots taken.
    len: usize,
    /// The row of the NULL key (integer keys only).
    null: Option<Vec<u64>>,
    /// `layout.fresh.len()` accumulators per group, by group number.
    general: Vec<Accumulator>,
    /// Groups created, the NULL key's included (the next group number).
    groups: usize,
    hashes: Vec<u64>,
    /// The key words of a chunk's rows, for a [`Keys::Words`] key.
    words: Vec<u64>,
    /// How [`GroupTable::fold_integers`] updates the states, when it can.
    integers: Option<Vec<IntegerCell>>,
}

/// What identifies a group.
enum Keys {
    /// One INT (`int32`) or BIGINT value, kept in word 0 of the group's row.
    Integer { int32: bool },
    /// Integer-like values of these types (any other than a lone INT or BIGINT, at most
    /// [`MAX_WORD_KEYS`]): words `0..n` of a group's row hold them, word `n` which are NULL.
    Words(Vec<DataType>),
    /// Any other key: word 0 of a group's row is its number, which indexes its key here.
    General(Vec<Row>),
}

/// The most key values a [`Keys::Words`] key holds (one NULL bit each in a word).
const MAX_WORD_KEYS: usize = 63;

impl Keys {
    fn of(key_types: &[DataType]) -> Keys {
        match key_types {
            [t @ (DataType::Int | DataType::BigInt)] => Keys::Integer { int32: *t == DataType::Int },
            types if !types.is_empty() && types.len() <= MAX_WORD_KEYS && types.iter().all(|t| word_value(*t, 0).is_some()) => Keys::Words(types.to_vec()),
            _ => Keys::General(Vec::new()),
        }
    }

    /// Words of a group's row that hold its key: 0 for a general key (its number stands for it).
    fn words(&self) -> usize {
        match self {
            Keys::Integer { .. } => 1,
            Keys::Words(types) => types.len() + 1,
            Keys::General(_) => 0,
        }
    }
}

/// The value of type `data_type` a key word holds, for the integer-like types a
/// [`Keys::Words`] key may have (`None` for any other type).
fn word_value(data_type: DataType, word: u64) -> Option<Value> {
    let (wide, narrow) = (word as i64, word as i64 as i32);
    Some(match data_type {
        DataType::Int => Value::Int(narrow),
        DataType::BigInt => Value::BigInt(wide),
        DataType::Date => Value::Date(narrow),
        DataType::Timestamp => Value::Timestamp(wide),
        DataType::TimestampLtz => Value::TimestampLtz(wide),
        DataType::IntervalDayTime => Value::IntervalDayTime(wide),
        DataType::IntervalYearMonth => Value::IntervalYearMonth(narrow),
        DataType::Time(_) => Value::Time(narrow),
        _ => return None,
    })
}

/// Appends the words of `key` (a [`Keys::Words`] key): each value's, then the NULL bits. The
/// plan types the key, so anything but an integer-like value is NULL.
fn push_words(key: &[Value], words: &mut Vec<u64>) {
    let mut nulls = 0u64;
    for (i, value) in key.iter().enumerate() {
        match value.as_i64() {
            Some(v) => words.push(v as u64),
            None => {
                words.push(0);
                nulls |= 1 << i;
            }
        }
    }
    words.push(nulls);
}

/// Where the words of a group's row and its aggregates' states are.
struct Layout {
    cells: Vec<Cell>,
    /// Words per row.
    stride: usize,
    /// The word holding the group's number, when it is needed (word 0 for general keys).
    number: Option<usize>,
    /// The word of the "holds a value" bits of the nullable scalar states, when there are any.
    flags: Option<usize>,
    /// The general accumulators of a new group, in slot order.
    fresh: Vec<Accumulator>,
}

/// One aggregate's state as [`GroupTable::fold_integers`] updates it: word `word` of the
/// group's row, its "holds a value" bit `mask`, from column `column` of a row of integers
/// (`None`: COUNT(*)).
#[derive(Clone, Copy)]
struct IntegerCell {
    kind: ScalarKind,
    word: usize,
    mask: u64,
    column: Option<usize>,
}

impl IntegerCell {
    /// Absorbs one row's `values` (NULL bits `nulls`) into a group's `row`, whose "holds a
    /// value" bits are `bits`: what [`ScalarKind::add`] does for one copy, without branches on
    /// the values. A state that holds no value is 0 (rows start zeroed, and a state is written
    /// only once it holds one), so a SUM adds to its word as it is.
    #[inline(always)]
    fn fold(self, row: &mut [u64], bits: &mut u64, values: &[i64], nulls: u64) {
        let (v, present) = match self.column {
            Some(c) => (values.get(c).copied().unwrap_or(0), nulls >> c & 1 == 0),
            None => (0, true),
        };
        let word = &mut row[self.word];
        match self.kind {
            ScalarKind::Count => *word = word.wrapping_add(u64::from(present)),
            ScalarKind::SumInt => *word = (*word as i64).wrapping_add(if present { v } else { 0 }) as u64,
            ScalarKind::Min { .. } | ScalarKind::Max { .. } => {
                let (current, set) = (*word as i64, *bits & self.mask != 0);
                let better = if matches!(self.kind, ScalarKind::Min { .. }) { v < current } else { v > current };
                *word = if present && (!set || better) { v as u64 } else { *word };
            }
            ScalarKind::SumDouble => {}
        }
        if present {
            *bits |= self.mask;
        }
    }
}

/// Where one aggregate's state lives, and which slot value it absorbs (`input`, as
/// [`AggregateSlot::input`] reads it).
#[derive(Clone, Copy)]
enum Cell {
    /// A scalar state: word `word` of the group's row, its "holds a value" bit `bit`.
    Scalar { kind: ScalarKind, word: usize, bit: u32, input: Option<usize> },
    /// The `i`th general accumulator of the group.
    General { i: usize, input: Option<usize> },
}

impl Layout {
    /// The layout of `slots`' states after `key_words` words of key (0: a general key).
    fn new(slots: &[AggregateSlot], key_words: usize) -> Layout {
        // A retracting slot differs only for FIRST_VALUE and LAST_VALUE, which have no scalar form.
        let kinds: Vec<Option<ScalarKind>> = slots.iter().map(|s| ScalarKind::of(s.function, s.output_type)).collect();
        let general = kinds.iter().any(Option::is_none) || kinds.iter().flatten().filter(|k| k.nullable()).count() > FLAG_BITS as usize;
        let number = match (key_words, general) {
            (0, _) => Some(0),
            (_, true) => Some(key_words),
            (_, false) => None,
        };
        let mut word = number.map_or(key_words, |n| n + 1);
        let flags = kinds.iter().flatten().any(|k| k.nullable()).then(|| {
            word += 1;
            word - 1
        });
        let (mut bit, mut fresh, mut cells) = (0, Vec::new(), Vec::new());
        for (slot, kind) in slots.iter().zip(kinds) {
            match kind {
                Some(kind) if !kind.nullable() || bit < FLAG_BITS => {
                    cells.push(Cell::Scalar { kind, word, bit, input: slot.slot() });
                    word += 1;
                    bit += u32::from(kind.nullable());
                }
                _ => {
                    cells.push(Cell::General { i: fresh.len(), input: slot.slot() });
                    fresh.push(slot.accumulator());
                }
            }
        }
        Layout { cells, stride: word, number, flags, fresh }
    }

    /// Folds `copies` occurrences of slot values `values` into a group's `row` and `general`
    /// accumulators.
    #[inline]
    fn fold(&self, row: &mut [u64], general: &mut [Accumulator], values: &[Value], copies: isize) {
        let mut bits = self.flags.map_or(0, |f| row[f]);
        for cell in &self.cells {
            match *cell {
                Cell::Scalar { kind, word, bit, input } => {
                    let mask = 1u64 << bit;
                    if kind.add(&mut row[word], bits & mask != 0, AggregateSlot::value_of(input, values), copies) && kind.nullable() {
                        bits |= mask;
                    }
                }
                Cell::General { i, input } => general[i].add(AggregateSlot::value_of(input, values), copies),
            }
        }
        if let Some(f) = self.flags {
            row[f] = bits;
        }
    }

    /// The cells as [`GroupTable::fold_integers`] folds them, when every one is a scalar COUNT,
    /// integer SUM, MIN or MAX, and no group needs its number.
    fn integer_cells(&self) -> Option<Vec<IntegerCell>> {
        if self.number.is_some() {
            return None;
        }
        let cell = |cell: &Cell| match *cell {
            Cell::Scalar { kind: kind @ (ScalarKind::Count | ScalarKind::SumInt | ScalarKind::Min { .. } | ScalarKind::Max { .. }), word, bit, input } => {
                // Column 0 of a row of integers is the key, the slot values follow.
                let column = input.map(|i| i + 1);
                // COUNT has no "holds a value" bit.
                let mask = if kind.nullable() { 1 << bit } else { 0 };
                column.is_none_or(|c| c < IntegerRows::MAX_WIDTH).then_some(IntegerCell { kind, word, mask, column })
            }
            _ => None,
        };
        self.cells.iter().map(cell).collect()
    }

    /// The partial aggregates of a group (one run of values per aggregate, as
    /// [`super::accumulate::partials`] writes them).
    fn partials(&self, row: &[u64], general: &[Accumulator]) -> Row {
        let bits = self.flags.map_or(0, |f| row[f]);
        if self.fresh.is_empty() {
            // Every cell is scalar, one value each: the row is collected in place (one
            // allocation, where a vector turned into a row is two and a copy).
            return self
                .cells
                .iter()
                .map(|cell| match *cell {
                    Cell::Scalar { kind, word, bit, .. } => kind.partial(row[word], bits & (1u64 << bit) != 0),
                    Cell::General { .. } => Value::Null,
                })
                .collect();
        }
        let mut values = Vec::with_capacity(self.cells.len());
        for cell in &self.cells {
            match *cell {
                Cell::Scalar { kind, word, bit, .. } => values.push(kind.partial(row[word], bits & (1u64 << bit) != 0)),
                Cell::General { i, .. } => general[i].partial(&mut values),
            }
        }
        Row::new(values)
    }
}

impl GroupTable {
    /// An empty table for keys of types `key_types` and the aggregates `slots`.
    pub(super) fn new(slots: &[AggregateSlot], key_types: &[DataType]) -> GroupTable {
        GroupTable::for_groups(slots, key_types, 0)
    }

    /// [`GroupTable::new`] with slots for `groups` groups from the start (it grows past them
    /// as it must).
    pub(super) fn for_groups(slots: &[AggregateSlot], key_types: &[DataType], groups: usize) -> GroupTable {
        let keys = Keys::of(key_types);
        let layout = Layout::new(slots, keys.words());
        let integers = matches!(keys, Keys::Integer { .. }).then(|| layout.integer_cells()).flatten();
        // At most 7 in 8 slots taken, as `claim` keeps it.
        let initial = (groups.saturating_mul(8) / 7 + 1).next_power_of_two().max(INITIAL_SLOTS);
        let rows = vec![0; initial * layout.stride];
        GroupTable {
            keys,
            hasher: RandomState::default(),
            layout,
            tags: vec![0; initial],
            rows,
            len: 0,
            null: None,
            general: Vec::new(),
            groups: 0,
            hashes: Vec::with_capacity(CHUNK_ROWS),
            words: Vec::new(),
            integers,
        }
    }

    /// Folds the rows of `chunk` into their groups (created as they first appear), and
    /// empties it.
    pub(super) fn fold(&mut self, chunk: &mut RowChunk) {
        if matches!(self.keys, Keys::Words(_)) {
            return self.fold_words(chunk);
        }
        let (key_len, width) = (chunk.key_len, chunk.width);
        let key = |j: usize| &chunk.keys[j * key_len..(j + 1) * key_len];
        self.hashes.clear();
        for j in 0..chunk.copies.len() {
            let hash = self.hash(key(j));
            self.hashes.push(hash);
        }
        self.touch_home_slots();
        for (j, &copies) in chunk.copies.iter().enumerate() {
            let hash = self.hashes[j];
            let (row, group) = self.group_of(key(j), hash);
            let general = &mut self.general[group * self.layout.fresh.len()..(group + 1) * self.layout.fresh.len()];
            let row = match row {
                Some(slot) => &mut self.rows[slot * self.layout.stride..(slot + 1) * self.layout.stride],
                None => self.null.as_deref_mut().unwrap_or_default(),
            };
            self.layout.fold(row, general, &chunk.values[j * width..(j + 1) * width], copies);
        }
        chunk.clear();
    }

    /// [`GroupTable::fold`] for a [`Keys::Words`] key: each row's key values read into words
    /// once, then hashed and compared as words.
    fn fold_words(&mut self, chunk: &mut RowChunk) {
        let (key_len, width, words) = (chunk.key_len, chunk.width, chunk.key_len + 1);
        let mut keys = std::mem::take(&mut self.words);
        keys.clear();
        for key in chunk.keys.chunks_exact(key_len.max(1)).take(chunk.copies.len()) {
            push_words(key, &mut keys);
        }
        self.hashes.clear();
        self.hashes.extend(keys.chunks_exact(words).map(|key| self.hasher.hash_one(key)));
        self.touch_home_slots();
        let stride = self.layout.stride;
        for ((j, &copies), key) in chunk.copies.iter().enumerate().zip(keys.chunks_exact(words)) {
            let (slot, group) = self.words_slot(key, self.hashes[j]);
            let general = &mut self.general[group * self.layout.fresh.len()..(group + 1) * self.layout.fresh.len()];
            self.layout.fold(&mut self.rows[slot * stride..(slot + 1) * stride], general, &chunk.values[j * width..(j + 1) * width], copies);
        }
        self.words = keys;
        chunk.clear();
    }

    /// Reads the home slot of every hash in `hashes` once, at both ends of its row (which may
    /// straddle two cache lines): independent loads, which the CPU overlaps, before the probes
    /// that depend on them.
    fn touch_home_slots(&self) {
        let (mask, stride) = (self.tags.len() - 1, self.layout.stride);
        let touched = self.hashes.iter().fold(0u64, |t, &h| {
            let slot = h as usize & mask;
            t ^ u64::from(self.tags[slot]) ^ self.rows[slot * stride] ^ self.rows[slot * stride + stride - 1]
        });
        std::hint::black_box(touched);
    }

    /// The slot and number of the group whose key words are `key` (hashed `hash`), the group
    /// created when new.
    fn words_slot(&mut self, key: &[u64], hash: u64) -> (usize, usize) {
        let stride = self.layout.stride;
        let slot = match self.probe(hash, |row| row[..key.len()] == *key) {
            Ok(slot) => return (slot, self.number(&self.rows[slot * stride..(slot + 1) * stride])),
            Err(free) => free,
        };
        let (slot, group) = self.claim(slot, hash);
        self.rows[slot * stride..slot * stride + key.len()].copy_from_slice(key);
        (slot, group)
    }

    /// Whether [`GroupTable::fold_integers`] can fold rows into it: its key is one INT or
    /// BIGINT and every aggregate a scalar COUNT, integer SUM, MIN or MAX.
    pub(super) fn folds_integers(&self) -> bool {
        self.integers.is_some()
    }

    /// Folds rows of integers into their groups (created as they first appear): column 0 of
    /// each row is the group key, column `1 + i` slot value `i` (as a [`RowChunk`] holds them),
    /// one copy each. The same groups and states as [`GroupTable::fold`] of the same values;
    /// nothing when the table cannot (see [`GroupTable::folds_integers`]).
    pub(super) fn fold_integers(&mut self, rows: &IntegerRows) {
        let Some(cells) = self.integers.take() else { return };
        let width = rows.width().max(1);
        self.hashes.clear();
        self.hashes.extend(rows.values().chunks_exact(width).map(|row| self.hasher.hash_one(row[0])));
        let stride = self.layout.stride;
        for (j, (values, &nulls)) in rows.values().chunks_exact(width).zip(rows.nulls()).enumerate() {
            // Fetch the home slot of a row further on: its miss overlaps this row's work.
            if let Some(&ahead) = self.hashes.get(j + PREFETCH_AHEAD) {
                let slot = ahead as usize & (self.tags.len() - 1);
                prefetch(&self.tags[slot]);
                prefetch(&self.rows[slot * stride]);
                prefetch(&self.rows[slot * stride + stride - 1]);
            }
            let row = if nulls & 1 != 0 {
                self.null_group();
                self.null.as_deref_mut().unwrap_or_default()
            } else {
                let slot = self.integer_slot(values[0], self.hashes[j]);
                &mut self.rows[slot * stride..(slot + 1) * stride]
            };
            let mut bits = self.layout.flags.map_or(0, |f| row[f]);
            for cell in &cells {
                cell.fold(row, &mut bits, values, nulls);
            }
            if let Some(f) = self.layout.flags {
                row[f] = bits;
            }
        }
        self.integers = Some(cells);
    }

    /// The slot of the group of integer key `key` (hashed `hash`), the group created when new.
    #[inline]
    fn integer_slot(&mut self, key: i64, hash: u64) -> usize {
        let slot = match self.probe(hash, |row| row[0] as i64 == key) {
            Ok(slot) => return slot,
            Err(free) => free,
        };
        let (slot, _) = self.claim(slot, hash);
        self.rows[slot * self.layout.stride] = key as u64;
        slot
    }

    /// Probes from the home slot of `hash` for a taken slot whose row `is_key` accepts:
    /// `Ok` with it, or `Err` with the free slot the probe ended at.
    #[inline(always)]
    fn probe(&self, hash: u64, is_key: impl Fn(&[u64]) -> bool) -> Result<usize, usize> {
        let tag = tag_of(hash);
        let (stride, mask) = (self.layout.stride, self.tags.len() - 1);
        let mut slot = hash as usize & mask;
        loop {
            match self.tags[slot] {
                0 => return Err(slot),
                t if t == tag && is_key(&self.rows[slot * stride..(slot + 1) * stride]) => return Ok(slot),
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    /// A new group hashed `hash`, whose probe ended at the free slot `slot`: its number, and
    /// the slot that now holds its row (another one when the table had to grow), zeroed but
    /// for the group's number.
    fn claim(&mut self, mut slot: usize, hash: u64) -> (usize, usize) {
        if (self.len + 1) * 8 > self.tags.len() * 7 {
            self.grow();
            slot = self.free_slot(hash);
        }
        let group = self.new_group();
        self.tags[slot] = tag_of(hash);
        self.len += 1;
        let stride = self.layout.stride;
        let row = &mut self.rows[slot * stride..(slot + 1) * stride];
        row.fill(0);
        if let Some(n) = self.layout.number {
            row[n] = group as u64;
        }
        (slot, group)
    }

    fn hash(&self, key: &[Value]) -> u64 {
        match (&self.keys, key) {
            (Keys::Integer { .. }, [k]) => self.hasher.hash_one(k.as_i64().unwrap_or(0)),
            _ => self.hasher.hash_one(key),
        }
    }

    /// The slot of the group of `key` (hashed `hash`; `None`: the NULL integer key) and its
    /// number, the group created when new.
    fn group_of(&mut self, key: &[Value], hash: u64) -> (Option<usize>, usize) {
        let integer = match (&self.keys, key) {
            (Keys::Integer { .. }, [k]) => match k.as_i64() {
                Some(k) => Some(k),
                // The plan types the key, so anything but an integer is NULL.
                None => return (None, self.null_group()),
            },
            _ => None,
        };
        let stride = self.layout.stride;
        let found = self.probe(hash, |row| match (&self.keys, integer) {
            (Keys::General(keys), _) => keys[row[0] as usize].values() == key,
            (Keys::Integer { .. }, Some(k)) => row[0] as i64 == k,
            _ => false,
        });
        let slot = match found {
            Ok(slot) => return (Some(slot), self.number(&self.rows[slot * stride..(slot + 1) * stride])),
            Err(free) => free,
        };
        let (slot, group) = self.claim(slot, hash);
        self.rows[slot * stride] = match &mut self.keys {
            Keys::General(keys) => {
                keys.push(Row::new(key.to_vec()));
                group as u64
            }
            Keys::Integer { .. } | Keys::Words(_) => integer.unwrap_or(0) as u64,
        };
        (Some(slot), group)
    }

    /// The number of the NULL integer key's group, created when new.
    fn null_group(&mut self) -> usize {
        if let Some(row) = &self.null {
            return self.number(row);
        }
        let group = self.new_group();
        let mut row = vec![0; self.layout.stride];
        if let Some(n) = self.layout.number {
            row[n] = group as u64;
        }
        self.null = Some(row);
        group
    }

    fn number(&self, row: &[u64]) -> usize {
        self.layout.number.map_or(0, |n| row[n] as usize)
    }

    /// A new group's number, with its general accumulators.
    fn new_group(&mut self) -> usize {
        self.general.extend(self.layout.fresh.iter().cloned());
        self.groups += 1;
        self.groups - 1
    }

    /// The first free slot from the home slot of `hash`.
    fn free_slot(&self, hash: u64) -> usize {
        let mask = self.tags.len() - 1;
        let mut slot = hash as usize & mask;
        while self.tags[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        slot
    }

    /// Doubles the slots, moving every group's row to its place in the larger table.
    fn grow(&mut self) {
        let stride = self.layout.stride;
        let doubled = self.tags.len() * 2;
        let tags = std::mem::replace(&mut self.tags, vec![0; doubled]);
        let rows = std::mem::replace(&mut self.rows, vec![0; doubled * stride]);
        for (old, &tag) in tags.iter().enumerate().filter(|(_, t)| **t != 0) {
            let row = &rows[old * stride..(old + 1) * stride];
            let hash = match &self.keys {
                Keys::General(keys) => self.hasher.hash_one(keys[row[0] as usize].values()),
                Keys::Integer { .. } => self.hasher.hash_one(row[0] as i64),
                Keys::Words(types) => self.hasher.hash_one(&row[..=types.len()]),
            };
            let slot = self.free_slot(hash);
            self.tags[slot] = tag;
            self.rows[slot * stride..(slot + 1) * stride].copy_from_slice(row);
        }
    }

    /// The slots it has for groups (it grows as they fill).
    pub(super) fn slots(&self) -> usize {
        self.tags.len()
    }

    /// Groups it holds (the NULL key's included).
    pub(super) fn len(&self) -> usize {
        self.len + usize::from(self.null.is_some())
    }

    /// Every group's key and partial aggregates (one run of values per aggregate, as
    /// [`super::accumulate::partials`] writes them), in no particular order; the table is left
    /// empty, its slots kept for the groups of another time.
    pub fn drain(&mut self) -> Vec<(Row, Row)> {
        let (stride, width) = (self.layout.stride, self.layout.fresh.len());
        let general = |group: usize| &self.general[group * width..(group + 1) * width];
        let taken = self.tags.iter().enumerate().filter(|(_, t)| **t != 0).map(|(slot, _)| &self.rows[slot * stride..(slot + 1) * stride]);
        let mut out: Vec<(Row, Row)> = Vec::with_capacity(self.len());
        // Integer keys are collected in place: one allocation each.
        out.extend(taken.map(|row| {
            let key = match &self.keys {
                Keys::General(keys) => keys[row[0] as usize].clone(),
                Keys::Integer { int32: true } => std::iter::once(Value::Int(row[0] as i64 as i32)).collect(),
                Keys::Integer { int32: false } => std::iter::once(Value::BigInt(row[0] as i64)).collect(),
                Keys::Words(types) => {
                    let nulls = row[types.len()];
                    types.iter().enumerate().map(|(i, t)| if nulls >> i & 1 == 0 { word_value(*t, row[i]).unwrap_or_default() } else { Value::Null }).collect()
                }
            };
            (key, self.layout.partials(row, general(self.number(row))))
        }));
        if let Some(row) = &self.null {
            out.push((std::iter::once(Value::Null).collect(), self.layout.partials(row, general(self.number(row)))));
        }
        self.clear();
        out
    }

    /// Forgets every group, keeping the slots.
    fn clear(&mut self) {
        self.tags.fill(0);
        self.len = 0;
        self.null = None;
        self.general.clear();
        self.groups = 0;
        if let Keys::General(keys) = &mut self.keys {
            keys.clear();
        }
    }
}

/// The tag of a used slot whose key hashes to `hash`: `0x80` with the hash's top 7 bits.
fn tag_of(hash: u64) -> u8 {
    0x80 | (hash >> 57) as u8
}

/// Asks the CPU to bring the cache line of `at` closer, without waiting for it (nothing
/// where there is no such instruction).
#[inline(always)]
fn prefetch<T>(at: &T) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    // SAFETY: a prefetch is a hint: it reads nothing into the program and cannot fault; and
    // this code is only compiled for processors with SSE (the cfg above).
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((at as *const T).cast());
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = at;
}

#[cfg(test)]
#[path = "group_table_tests.rs"]
mod tests;
