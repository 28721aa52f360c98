//! The CSV reader's fast path: a record alone on its line, with no quote character and no
//! carriage return inside it, is split at the delimiter straight from a large read buffer,
//! eight bytes at a time, without the `csv` crate's per-byte state machine or a copy into a
//! record.
//!
//! For such a line, the `csv` crate as the source configures it (no trimming; `\n`, `\r` and
//! `\r\n` end a record; blank lines skipped; with `csv.allow-comments`, a line starting with
//! `#` skipped) reads exactly the pieces between delimiters, so both give the same fields. Any
//! other line (a quote, an escape inside quotes, a lone `\r`) is [`Line::Complex`]: the reader
//! hands it, and what follows up to the end of the buffer, to the `csv` crate.

use std::io::{self, Read};

/// How much of a file is read at a time (a line longer than this grows the buffer).
const BUFFER_BYTES: usize = 256 << 10;

/// The next thing on the input, past any blank and comment lines.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Line<'a> {
    /// A record on one simple line.
    Record {
        /// File position of the line's first byte.
        start: u64,
        /// File position just past the line (after its line break).
        end: u64,
        /// The line without its line break.
        bytes: &'a [u8],
        /// Where each field of `bytes` ends: the index of each delimiter, then `bytes.len()`.
        ends: &'a [usize],
    },
    /// A line only the `csv` crate reads right (quotes, a lone `\r`, a comment line that the
    /// input ends in): the `csv` crate should read on from `start`, where it would have
    /// ended the last record (any blank and comment lines after it are read again).
    Complex {
        /// File position where the `csv` crate would be after the last record.
        start: u64,
    },
    /// No more input.
    End,
}

/// The fields of a [`Line::Record`], in order.
pub(super) fn fields<'a>(bytes: &'a [u8], ends: &'a [usize]) -> impl ExactSizeIterator<Item = &'a [u8]> + 'a {
    let mut start = 0;
    ends.iter().map(move |&end| {
        let field = bytes.get(start..end).unwrap_or_default();
        start = end + 1;
        field
    })
}

/// Reads lines of CSV from a byte stream in large blocks and splits the simple ones.
pub(super) struct LineBuffer {
    buf: Vec<u8>,
    /// Index in `buf` of the first byte not yet handed out.
    head: usize,
    /// Number of bytes of `buf` read from the input.
    filled: usize,
    /// File position of `buf[0]`.
    base: u64,
    /// Whether the input has no more bytes.
    eof: bool,
    /// File position where the `csv` crate would be after the last record returned: after
    /// its line break, or between the `\r` and `\n` of a `\r\n`.
    last_end: u64,
    /// The field ends of the last record returned.
    ends: Vec<usize>,
    delimiter: u8,
    /// The quote character, when quoting is on.
    quote: Option<u8>,
    /// Whether lines starting with `#` are comments.
    comments: bool,
    /// False when the fast path is off (or the quote character is a line break): then every
    /// line is complex, and the `csv` crate reads the whole input.
    usable: bool,
}

impl LineBuffer {
    /// An empty buffer; call [`LineBuffer::reset`] before reading. With `fast_path` false,
    /// every line is [`Line::Complex`].
    pub(super) fn new(delimiter: u8, quote: Option<u8>, comments: bool, fast_path: bool) -> LineBuffer {
        let usable = fast_path && !matches!(quote, Some(b'\n' | b'\r'));
        LineBuffer { buf: Vec::new(), head: 0, filled: 0, base: 0, eof: false, last_end: 0, ends: Vec::new(), delimiter, quote, comments, usable }
    }

    /// Forgets the buffered bytes: the next input byte is at file position `pos`.
    pub(super) fn reset(&mut self, pos: u64) {
        (self.head, self.filled, self.base, self.eof, self.last_end) = (0, 0, pos, false, pos);
    }

    /// File position of the first byte not yet handed out.
    pub(super) fn position(&self) -> u64 {
        self.base + self.head as u64
    }

    /// Where the `csv` crate, handed a complex line, reads up to before giving the input back:
    /// just past the bytes read so far (the end of the input when the fast path is off).
    pub(super) fn handback(&self) -> u64 {
        if self.usable { self.base + self.filled as u64 } else { u64::MAX }
    }

    /// The next record or complex line of `input`, skipping blank and comment lines.
    pub(super) fn next(&mut self, input: &mut impl Read) -> io::Result<Line<'_>> {
        if !self.usable {
            return Ok(Line::Complex { start: self.last_end });
        }
        loop {
            if self.head == self.filled {
                if self.eof {
                    return Ok(Line::End);
                }
                self.fill(input)?;
                continue;
            }
            let rest = &self.buf[self.head..self.filled];
            if self.comments && rest[0] == b'#' {
                match find_newline(rest) {
                    Some(i) => self.head += i + 1,
                    // The `csv` crate reads this one as a record of one empty field.
                    None if self.eof => return Ok(Line::Complex { start: self.last_end }),
                    None => self.fill(input)?,
                }
                continue;
            }
            match split_line(rest, self.delimiter, self.quote, self.eof, &mut self.ends) {
                Scan::Incomplete => self.fill(input)?,
                Scan::Complex => return Ok(Line::Complex { start: self.last_end }),
                Scan::Record { len: 0, next } => self.head += next,
                Scan::Record { len, next } => {
                    let (start, at) = (self.position(), self.head);
                    self.head += next;
                    self.last_end = start + next.min(len + 1) as u64;
                    let bytes = &self.buf[at..at + len];
                    return Ok(Line::Record { start, end: self.position(), bytes, ends: &self.ends });
                }
            }
        }
    }

    /// Moves the unread bytes to the front (growing the buffer when they fill it) and reads
    /// more behind them; sets `eof` when the input has none.
    fn fill(&mut self, input: &mut impl Read) -> io::Result<()> {
        if self.head > 0 {
            self.buf.copy_within(self.head..self.filled, 0);
            self.base += self.head as u64;
            self.filled -= self.head;
            self.head = 0;
        }
        if self.filled == self.buf.len() {
            let grown = (self.buf.len() * 2).max(BUFFER_BYTES);
            self.buf.resize(grown, 0);
        }
        loop {
            match input.read(&mut self.buf[self.filled..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            return Ok(());
        }
    }
}

/// What [`split_line`] found at the start of its input.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// A simple line of `len` bytes (its line break excluded); the next line starts at `next`.
    Record { len: usize, next: usize },
    /// A quote or a lone `\r` on the line.
    Complex,
    /// The line does not end within the bytes and more input may follow.
    Incomplete,
}

/// Splits the line at the start of `bytes` at `delimiter` into `ends` (see [`Line::Record`]).
/// A line holding `quote` or a `\r` other than just before its `\n` is [`Scan::Complex`]; one
/// without a line break is complete only at the end of the input (`eof`). One pass over the
/// line, eight bytes at a time ([`Structure`]): a CSV line is a few dozen bytes, too short for a
/// vectorised search per character to pay for starting.
fn split_line(bytes: &[u8], delimiter: u8, quote: Option<u8>, eof: bool, ends: &mut Vec<usize>) -> Scan {
    ends.clear();
    let structure = Structure::new(delimiter, quote.filter(|&q| q != delimiter));
    let special = structure.scan(bytes, ends);
    let (len, next) = match special.map(|at| (at, bytes[at])) {
        Some((at, b'\n')) => (at, at + 1),
        Some((at, b'\r')) => match bytes.get(at + 1) {
            Some(b'\n') => (at, at + 2),
            None if eof => (at, at + 1),
            None => return Scan::Incomplete,
            Some(_) => return Scan::Complex,
        },
        Some(_) => return Scan::Complex,
        None if eof => (bytes.len(), bytes.len()),
        None => return Scan::Incomplete,
    };
    ends.push(len);
    Scan::Record { len, next }
}

/// The bytes that give a line its structure: the delimiter, and the special ones that end a
/// simple line (`\n`, `\r`, the quote character).
struct Structure {
    delimiter: u64,
    quote: Option<u64>,
}

/// One in every byte of a word.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The low seven bits of every byte of a word.
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

impl Structure {
    fn new(delimiter: u8, quote: Option<u8>) -> Structure {
        Structure { delimiter: ONES * u64::from(delimiter), quote: quote.map(|q| ONES * u64::from(q)) }
    }

    /// Appends to `ends` the index of every delimiter before the first special byte of
    /// `bytes`, and returns that byte's index (`None` when there is none).
    fn scan(&self, bytes: &[u8], ends: &mut Vec<usize>) -> Option<usize> {
        let mut base = 0;
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            let mut blocks = bytes.chunks_exact(16);
            for block in blocks.by_ref() {
                // SAFETY: this code is only compiled for processors with SSE2 (the cfg above).
                let (special, delimiters) = unsafe { self.block_masks(block) };
                if let Some(at) = flagged::<1>(u64::from(special), u64::from(delimiters), base, ends) {
                    return Some(at);
                }
                base += 16;
            }
        }
        let mut words = bytes[base..].chunks_exact(8);
        for word in words.by_ref() {
            let mut le = [0; 8];
            le.copy_from_slice(word);
            let word = u64::from_le_bytes(le);
            let special =
                equal_bytes(word, ONES * u64::from(b'\n')) | equal_bytes(word, ONES * u64::from(b'\r')) | self.quote.map_or(0, |q| equal_bytes(word, q));
            // Each byte's flag is its top bit.
            if let Some(at) = flagged::<8>(special, equal_bytes(word, self.delimiter), base, ends) {
                return Some(at);
            }
            base += 8;
        }
        let quote = self.quote.map(|q| q as u8);
        for (at, &byte) in words.remainder().iter().enumerate() {
            if byte == b'\n' || byte == b'\r' || Some(byte) == quote {
                return Some(base + at);
            }
            if u64::from(byte) == self.delimiter & 0xff {
                ends.push(base + at);
            }
        }
        None
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
impl Structure {
    /// Bit `i` set in the first mask when byte `i` of the 16-byte `block` is special, in the
    /// second when it is the delimiter (SSE2, which every x86-64 processor has).
    #[target_feature(enable = "sse2")]
    fn block_masks(&self, block: &[u8]) -> (u32, u32) {
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8};
        let (mut low, mut high) = ([0; 8], [0; 8]);
        low.copy_from_slice(&block[..8]);
        high.copy_from_slice(&block[8..16]);
        let bytes = _mm_set_epi64x(i64::from_le_bytes(high), i64::from_le_bytes(low));
        let newline = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\n' as i8));
        let carriage = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\r' as i8));
        let mut special = _mm_or_si128(newline, carriage);
        if let Some(quote) = self.quote {
            special = _mm_or_si128(special, _mm_cmpeq_epi8(bytes, _mm_set1_epi8(quote as u8 as i8)));
        }
        let delimiters = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(self.delimiter as u8 as i8));
        (_mm_movemask_epi8(special) as u32, _mm_movemask_epi8(delimiters) as u32)
    }
}

/// Appends to `ends` the index of each delimiter a block of bytes at `base` flags before its
/// first special byte, and returns that byte's index (`None` when the block has none). Byte
/// `i` of the block is flagged by bit `(i + 1) * BITS_PER_BYTE - 1` of `special` and of
/// `delimiters`.
#[inline]
fn flagged<const BITS_PER_BYTE: u32>(special: u64, mut delimiters: u64, base: usize, ends: &mut Vec<usize>) -> Option<usize> {
    if special != 0 {
        delimiters &= (1 << special.trailing_zeros()) - 1;
    }
    while delimiters != 0 {
        ends.push(base + (delimiters.trailing_zeros() / BITS_PER_BYTE) as usize);
        delimiters &= delimiters - 1;
    }
    (special != 0).then(|| base + (special.trailing_zeros() / BITS_PER_BYTE) as usize)
}

/// The top bit of each byte of `word` that equals the byte repeated in `pattern`, nothing else.
fn equal_bytes(word: u64, pattern: u64) -> u64 {
    let zero_when_equal = word ^ pattern;
    // A byte's top bit stays clear only when the byte is zero: adding 0x7f to its low seven
    // bits carries into the top bit unless they are all clear, and its own top bit is or-ed in.
    !(((zero_when_equal & LOW7) + LOW7) | zero_when_equal | LOW7)
}

/// Index of the first `\n` in `bytes`.
fn find_newline(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', bytes)
}

#[cfg(test)]
#[path = "csv_lines_tests.rs"]
mod tests;
