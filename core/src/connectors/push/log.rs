//! The push-input log: every batch accepted into a `push` table, in order, durable before the
//! pusher hears "accepted", so that a recovered job can replay what it had not yet read.
//!
//! Each record has a sequence number: 0, 1, 2, ... over the life of the log, never reused.
//! A reader's position is the sequence number of the next record it will read
//! ([`super::PushInput`]'s readers report it as their offset). The log is a directory of
//! segment files, each named by the sequence number of its first record
//! (`00000000000000000000.log`, 20 digits so that names sort by number), written only by
//! appending:
//!
//! ```text
//! WEIRPUSH2\n                                        magic and format version
//! {"columns": ["a", "b"], "first_seq": 0}\n          header
//! entry*: u32 LE payload length | u32 LE CRC-32 of the payload | payload
//!         payload: u64 LE sequence number of the entry's first record | JSON array of rows,
//!                  each an array of values in column order (`value_to_json`)
//! ```
//!
//! One entry is one appended batch, synced (`fdatasync`) before [`PushLog::append`] returns.
//! A crash mid-append leaves a torn tail: an entry whose length runs past the end of the file
//! or whose CRC does not match; it was never acknowledged, and [`PushLog::open`] cuts it off.
//! A segment holds at least one entry and is closed when it has grown past
//! [`PushLog::with_segment_bytes`] (default 16 MiB); [`PushLog::truncate_before`] deletes the
//! closed segments whose records all come before a position (retention: the coordinator calls
//! it with the oldest offset a retained checkpoint may resume from).

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, ErrorKind, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::RuntimeError;

/// First line of every segment.
pub const MAGIC: &[u8] = b"WEIRPUSH2\n";

/// Segments are closed once they are larger than this (unless told otherwise).
pub const DEFAULT_SEGMENT_BYTES: u64 = 16 << 20;

/// Bytes before an entry's payload (length and CRC).
const ENTRY_HEADER: usize = 8;

/// An open push-input log (see the module doc). Not shared: callers serialise appends.
#[derive(Debug)]
pub struct PushLog {
    dir: PathBuf,
    columns: Vec<String>,
    segment_bytes: u64,
    /// First sequence numbers of the segments, ascending; the last one is the active segment.
    segments: Vec<u64>,
    /// The active segment, open for appending, and its length.
    active: Option<(File, u64)>,
    next_seq: u64,
}

/// What an entry holds: the sequence number of its first record, and its rows.
type Entry = (u64, Vec<serde_json::Value>);

fn io_err(path: &Path, e: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::Io { context: format!("push-input log {}", path.display()), message: e.to_string() }
}

fn segment_name(first_seq: u64) -> String {
    format!("{first_seq:020}.log")
}

/// Syncs a directory, so that files created or removed in it survive a crash.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl PushLog {
    /// Opens (creating it if missing) the log in directory `dir` for rows of `columns`. The
    /// last segment's torn tail, if any, is cut off; a segment whose header is torn (a crash
    /// while it was being created) is removed. Fails if an existing log was written for other
    /// columns, or is not a push-input log.
    pub fn open(dir: &Path, columns: &[&str]) -> Result<PushLog, RuntimeError> {
        fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        let mut segments = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| io_err(dir, e))? {
            let name = entry.map_err(|e| io_err(dir, e))?.file_name();
            let name = name.to_string_lossy();
            if let Some(seq) = name.strip_suffix(".log").and_then(|s| s.parse::<u64>().ok()) {
                segments.push(seq);
            }
        }
        segments.sort_unstable();
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let mut log = PushLog { dir: dir.to_path_buf(), columns, segment_bytes: DEFAULT_SEGMENT_BYTES, segments, active: None, next_seq: 0 };
        while let Some(&last) = log.segments.last() {
            match log.recover_segment(last)? {
                Some(next_seq) => {
                    log.next_seq = next_seq;
                    let path = log.path(last);
                    let file = OpenOptions::new().append(true).open(&path).map_err(|e| io_err(&path, e))?;
                    let size = file.metadata().map_err(|e| io_err(&path, e))?.len();
                    log.active = Some((file, size));
                    break;
                }
                None => {
                    log.segments.pop();
                }
            }
        }
        Ok(log)
    }

    /// The same log, closing segments once they grow past `bytes` (tests use small sizes).
    pub fn with_segment_bytes(mut self, bytes: u64) -> PushLog {
        self.segment_bytes = bytes.max(1);
        self
    }

    /// The directory of the log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The sequence number the next appended record gets (records logged so far, counting
    /// those deleted by [`PushLog::truncate_before`]).
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The sequence number of the oldest record still in the log (equal to
    /// [`PushLog::next_seq`] when the log is empty).
    pub fn first_seq(&self) -> u64 {
        self.segments.first().copied().unwrap_or(self.next_seq)
    }

    fn path(&self, first_seq: u64) -> PathBuf {
        self.dir.join(segment_name(first_seq))
    }

    /// Checks segment `first_seq` and cuts its torn tail; `None` if its header is torn (the
    /// file is removed), else the sequence number after its last record.
    fn recover_segment(&self, first_seq: u64) -> Result<Option<u64>, RuntimeError> {
        let path = self.path(first_seq);
        let bytes = fs::read(&path).map_err(|e| io_err(&path, e))?;
        let Some(body) = self.check_header(&path, &bytes, first_seq)? else {
            fs::remove_file(&path).map_err(|e| io_err(&path, e))?;
            sync_dir(&self.dir).map_err(|e| io_err(&self.dir, e))?;
            return Ok(None);
        };
        let mut at = bytes.len() - body.len();
        let mut next = first_seq;
        let mut rest = body;
        while let Some((entry, len)) = parse_entry(rest) {
            let (seq, rows) = entry.map_err(|e| io_err(&path, format!("at byte {at}: {e}")))?;
            if seq != next {
                return Err(io_err(&path, format!("at byte {at}: entry starts at record {seq}, expected {next}")));
            }
            next += rows.len() as u64;
            at += len;
            rest = &rest[len..];
        }
        if !rest.is_empty() {
            tracing::warn!(path = %path.display(), torn_bytes = rest.len(), "cutting the torn tail of a push-input log (never acknowledged)");
            let file = OpenOptions::new().write(true).open(&path).map_err(|e| io_err(&path, e))?;
            file.set_len(at as u64).and_then(|()| file.sync_all()).map_err(|e| io_err(&path, e))?;
        }
        Ok(Some(next))
    }

    /// The entries of a segment after its header, or `None` when the header is torn.
    fn check_header<'b>(&self, path: &Path, bytes: &'b [u8], first_seq: u64) -> Result<Option<&'b [u8]>, RuntimeError> {
        if bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) {
            return Ok(None);
        }
        let rest = bytes.strip_prefix(MAGIC).ok_or_else(|| io_err(path, "not a push-input log (no WEIRPUSH2 line)"))?;
        let Some(newline) = rest.iter().position(|b| *b == b'\n') else { return Ok(None) };
        let header: serde_json::Value = serde_json::from_slice(&rest[..newline]).map_err(|e| io_err(path, format!("bad header: {e}")))?;
        let columns: Vec<&str> = header["columns"].as_array().map(|a| a.iter().filter_map(serde_json::Value::as_str).collect()).unwrap_or_default();
        if columns != self.columns {
            return Err(io_err(path, format!("the log was written for columns ({}), not ({})", columns.join(", "), self.columns.join(", "))));
        }
        if header["first_seq"].as_u64() != Some(first_seq) {
            return Err(io_err(path, format!("the header says first_seq {}, the file name {first_seq}", header["first_seq"])));
        }
        Ok(Some(&rest[newline + 1..]))
    }

    /// Appends `rows` (each an array of JSON values in column order) as one entry and syncs
    /// it; returns the sequence numbers they got. Nothing is appended for no rows. After a
    /// failed write the torn entry is cut off, so the log stays readable.
    pub fn append(&mut self, rows: &[serde_json::Value]) -> Result<Range<u64>, RuntimeError> {
        let first = self.next_seq;
        if rows.is_empty() {
            return Ok(first..first);
        }
        let mut payload = first.to_le_bytes().to_vec();
        serde_json::to_writer(&mut payload, rows).map_err(|e| io_err(&self.dir, e))?;
        let len = u32::try_from(payload.len()).map_err(|_| io_err(&self.dir, "a batch must encode to less than 4 GiB"))?;
        if self.active.as_ref().is_none_or(|(_, size)| *size >= self.segment_bytes) {
            self.roll()?;
        }
        let path = self.path(self.segments.last().copied().unwrap_or(first));
        let Some((file, size)) = self.active.as_mut() else { return Err(io_err(&path, "no active segment")) };
        let mut entry = Vec::with_capacity(payload.len() + ENTRY_HEADER);
        entry.extend_from_slice(&len.to_le_bytes());
        entry.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        entry.extend_from_slice(&payload);
        if let Err(e) = file.write_all(&entry).and_then(|()| file.sync_data()) {
            let cut = file.set_len(*size).and_then(|()| file.sync_data());
            if cut.is_err() {
                // The segment may end in a torn entry: appending after it would hide later
                // entries from readers. Start a new segment next time; reopening cuts the tail.
                self.active = None;
            }
            return Err(io_err(&path, e));
        }
        *size += entry.len() as u64;
        self.next_seq += rows.len() as u64;
        Ok(first..self.next_seq)
    }

    /// Starts a new segment at `next_seq` (replacing a segment of that name, which can only
    /// hold a torn entry).
    fn roll(&mut self) -> Result<(), RuntimeError> {
        let first = self.next_seq;
        let path = self.path(first);
        let header = serde_json::json!({"columns": self.columns, "first_seq": first});
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(header.to_string().as_bytes());
        bytes.push(b'\n');
        let mut file = OpenOptions::new().create(true).write(true).truncate(true).open(&path).map_err(|e| io_err(&path, e))?;
        file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(|e| io_err(&path, e))?;
        sync_dir(&self.dir).map_err(|e| io_err(&self.dir, e))?;
        if self.segments.last() != Some(&first) {
            self.segments.push(first);
        }
        self.active = Some((file, bytes.len() as u64));
        Ok(())
    }

    /// Deletes the segments whose records all come before sequence number `seq` (never the
    /// active one, nor any record at or after `seq`); returns how many were deleted. Records
    /// before `seq` may remain (in a segment that also holds later ones).
    pub fn truncate_before(&mut self, seq: u64) -> Result<usize, RuntimeError> {
        let mut deleted = 0;
        while self.segments.len() > 1 && self.segments[1] <= seq {
            let path = self.path(self.segments[0]);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(&path, e)),
            }
            self.segments.remove(0);
            deleted += 1;
        }
        if deleted > 0 {
            sync_dir(&self.dir).map_err(|e| io_err(&self.dir, e))?;
        }
        Ok(deleted)
    }

    /// A reader of the records from sequence number `from` on, as far as they were appended
    /// when it was made. Fails if `from` was deleted by [`PushLog::truncate_before`] or is past
    /// [`PushLog::next_seq`].
    pub fn read_from(&self, from: u64) -> Result<LogReader, RuntimeError> {
        if from < self.first_seq() || from > self.next_seq {
            return Err(io_err(&self.dir, format!("cannot resume at record {from}: the log holds records {}..{}", self.first_seq(), self.next_seq)));
        }
        let start = self.segments.partition_point(|&s| s <= from).saturating_sub(1);
        let paths = self.segments[start..].iter().map(|&s| (s, self.path(s))).collect();
        Ok(LogReader { paths, file: None, next: from, end: self.next_seq, columns: self.columns.clone() })
    }
}

/// Parses the entry at the start of `bytes`: `None` when it is torn (or there is none), else
/// the entry (or why its payload is bad although its CRC matched) and its length in bytes.
fn parse_entry(bytes: &[u8]) -> Option<(Result<Entry, String>, usize)> {
    let header = bytes.get(..ENTRY_HEADER)?;
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    let payload = bytes.get(ENTRY_HEADER..ENTRY_HEADER + len)?;
    if crc32fast::hash(payload) != crc {
        return None;
    }
    Some((decode_payload(payload), ENTRY_HEADER + len))
}

fn decode_payload(payload: &[u8]) -> Result<Entry, String> {
    let seq = payload.get(..8).ok_or("an entry shorter than its sequence number")?;
    let seq = u64::from_le_bytes([seq[0], seq[1], seq[2], seq[3], seq[4], seq[5], seq[6], seq[7]]);
    let rows = serde_json::from_slice(&payload[8..]).map_err(|e| format!("an entry is not a JSON array of rows: {e}"))?;
    Ok((seq, rows))
}

/// Reads a log's records in order from a position (see [`PushLog::read_from`]).
pub struct LogReader {
    /// Segments still to read: first sequence number and path.
    paths: std::collections::VecDeque<(u64, PathBuf)>,
    file: Option<(BufReader<File>, PathBuf)>,
    next: u64,
    end: u64,
    columns: Vec<String>,
}

impl LogReader {
    /// The sequence number of the next record [`LogReader::next_entry`] returns.
    pub fn position(&self) -> u64 {
        self.next
    }

    /// The records of the next entry from the reader's position on (the first entry may be
    /// cut at the front), with the sequence number of the first; `None` at the end.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, RuntimeError> {
        while self.next < self.end {
            if self.file.is_none() {
                let Some((_, path)) = self.paths.pop_front() else {
                    return Err(io_err(Path::new("."), format!("records {}..{} are missing", self.next, self.end)));
                };
                self.file = Some((self.open_segment(&path)?, path));
            }
            let Some((file, path)) = self.file.as_mut() else { continue };
            let mut header = [0u8; ENTRY_HEADER];
            match file.read_exact(&mut header) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => {
                    self.file = None;
                    continue;
                }
                Err(e) => return Err(io_err(path, e)),
            }
            let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
            let mut payload = vec![0u8; len];
            file.read_exact(&mut payload).map_err(|e| io_err(path, e))?;
            if crc32fast::hash(&payload) != u32::from_le_bytes([header[4], header[5], header[6], header[7]]) {
                return Err(io_err(path, format!("the entry of record {} does not match its CRC", self.next)));
            }
            let (seq, mut rows) = decode_payload(&payload).map_err(|e| io_err(path, e))?;
            let after = seq + rows.len() as u64;
            if after <= self.next {
                continue;
            }
            if seq > self.next {
                return Err(io_err(path, format!("records {}..{seq} are missing", self.next)));
            }
            rows.drain(..(self.next - seq) as usize);
            let first = self.next;
            self.next = after;
            return Ok(Some((first, rows)));
        }
        Ok(None)
    }

    fn open_segment(&self, path: &Path) -> Result<BufReader<File>, RuntimeError> {
        let mut file = BufReader::new(File::open(path).map_err(|e| io_err(path, e))?);
        let mut magic = vec![0u8; MAGIC.len()];
        file.read_exact(&mut magic).map_err(|e| io_err(path, e))?;
        if magic != MAGIC {
            return Err(io_err(path, "not a push-input log (no WEIRPUSH2 line)"));
        }
        let mut header = Vec::new();
        std::io::BufRead::read_until(&mut file, b'\n', &mut header).map_err(|e| io_err(path, e))?;
        let header: serde_json::Value = serde_json::from_slice(&header).map_err(|e| io_err(path, format!("bad header: {e}")))?;
        if header["columns"] != serde_json::json!(self.columns) {
            return Err(io_err(path, format!("the log was written for columns {}", header["columns"])));
        }
        Ok(file)
    }
}
