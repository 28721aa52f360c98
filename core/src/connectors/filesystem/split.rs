//! Which bytes of which files each worker reads.
//!
//! The input files, in order, are laid end to end and the total byte range is cut into one
//! contiguous range per worker. A file at most [`DEFAULT_SPLIT_THRESHOLD`] bytes long is read
//! whole by the worker whose range holds its first byte; a larger file is cut at the workers'
//! range boundaries, and a line belongs to the range holding its first byte: a worker starting
//! mid-file skips to the first line start at or after its start, and reads up to the first line
//! start at or after its end. So every line is read exactly once, whatever the worker count.
//!
//! Lines are cut at `\n` only (`\r\n` works, since `\r` stays with its line). In a file that is
//! cut, a record must not span lines: quoted CSV fields containing newlines are supported only
//! in files read whole (up to the threshold).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;

use crate::connectors::SourceOffset;
use crate::error::RuntimeError;

/// Files larger than this (16 MiB) are split between workers by byte ranges.
pub const DEFAULT_SPLIT_THRESHOLD: u64 = 16 << 20;

/// One input file, as listed when the source was created.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its size when listed.
    pub size: u64,
}

/// Lists the regular files at `path`: the file itself, or every file under the directory
/// (recursively), sorted by path; names starting with `.` or `_` are skipped, as in Flink.
pub fn list_files(path: &Path) -> io::Result<Vec<InputFile>> {
    let meta = std::fs::metadata(path)?;
    let mut files = Vec::new();
    if meta.is_file() {
        files.push(readable(path)?);
    } else {
        collect_dir(path, &mut files)?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    Ok(files)
}

fn collect_dir(dir: &Path, files: &mut Vec<InputFile>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| naming(dir, e))? {
        let path = entry.map_err(|e| naming(dir, e))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        let meta = std::fs::metadata(&path).map_err(|e| naming(&path, e))?;
        if meta.is_dir() {
            collect_dir(&path, files)?;
        } else if meta.is_file() {
            files.push(readable(&path)?);
        }
    }
    Ok(())
}

/// The file at `path`, checked to open for reading.
fn readable(path: &Path) -> io::Result<InputFile> {
    let file = File::open(path).map_err(|e| naming(path, e))?;
    let size = file.metadata().map_err(|e| naming(path, e))?.len();
    Ok(InputFile { path: path.to_path_buf(), size })
}

/// `error`, with the path it is about in front when that path is inside the listed directory.
fn naming(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}

/// A byte range `[start, end)` of file `file` (an index into the file list) that one worker
/// reads: lines starting in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Index of the file.
    pub file: usize,
    /// First byte of the range.
    pub start: u64,
    /// One past the last byte; the file size when the range runs to the end.
    pub end: u64,
}

/// The segments of worker `worker` of `peers`, in file order (see the module doc).
pub fn plan_segments(files: &[InputFile], threshold: u64, worker: usize, peers: usize) -> Vec<Segment> {
    let peers = peers.max(1) as u128;
    let total: u128 = files.iter().map(|f| u128::from(f.size)).sum();
    let bound = |w: u128| (total * w / peers) as u64;
    let (lo, hi) = (bound(worker as u128), bound(worker as u128 + 1));
    let mut segments = Vec::new();
    let mut base = 0u64;
    for (i, f) in files.iter().enumerate() {
        let (start, end) = (base, base + f.size);
        base = end;
        if f.size == 0 {
            continue;
        }
        if f.size <= threshold {
            if (lo..hi).contains(&start) {
                segments.push(Segment { file: i, start: 0, end: f.size });
            }
        } else if start.max(lo) < end.min(hi) {
            segments.push(Segment { file: i, start: start.max(lo) - start, end: end.min(hi) - start });
        }
    }
    segments
}

/// The first line start at or after `pos` in `file`: `pos` itself when it is 0 or follows a
/// `\n`, else the byte after the next `\n` (or the end of the file).
pub fn align_to_line(file: &mut File, pos: u64) -> io::Result<u64> {
    if pos == 0 {
        return Ok(0);
    }
    file.seek(SeekFrom::Start(pos - 1))?;
    let mut reader = BufReader::with_capacity(8 << 10, file);
    let mut skipped = Vec::new();
    let n = reader.read_until(b'\n', &mut skipped)?;
    Ok(pos - 1 + n as u64)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the first record of a file starts: after a UTF-8 byte order mark, if there is one.
fn skip_bom(file: &mut File) -> io::Result<u64> {
    let mut head = [0u8; 3];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(if head[..n] == *UTF8_BOM { UTF8_BOM.len() as u64 } else { 0 })
}

/// The 1-based number of the line holding byte `pos` of the file at `path`. Reads the file up
/// to `pos`: meant for error messages only.
pub fn line_number(path: &Path, pos: u64) -> io::Result<u64> {
    let mut reader = File::open(path)?.take(pos);
    let mut buf = vec![0u8; 64 << 10];
    let mut lines = 1u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(lines);
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
    }
}

/// `path:line` of the byte at `pos`, for error messages; `path@byte` if the file cannot be
/// re-read.
pub fn location(path: &Path, pos: u64) -> String {
    match line_number(path, pos) {
        Ok(line) => format!("{}:{line}", path.display()),
        Err(_) => format!("{}@{pos}", path.display()),
    }
}

/// At most the first 32 characters of a field's bytes, quoted for an error message, with its
/// size when cut: an error about a 50 MB field (or a line of a file that is not CSV at all)
/// does not repeat it.
pub fn field_prefix(bytes: &[u8]) -> String {
    const MAX: usize = 32;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4 * MAX)]);
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("\"{}…\" ({} bytes)", &text[..i], bytes.len()),
        None if bytes.len() > 4 * MAX => format!("\"{text}…\" ({} bytes)", bytes.len()),
        None => format!("\"{text}\""),
    }
}

/// `message` cut to 160 characters: record errors quote values, and must stay small.
pub fn bounded_message(message: String) -> String {
    match message.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &message[..i]),
        None => message,
    }
}

/// How far a split has read: the next unread record is at byte `pos` of file `file`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileOffset {
    /// Index of the file in the listing (the listing's length when the split is done).
    pub file: usize,
    /// Byte offset in that file.
    pub pos: u64,
}

impl FileOffset {
    /// As stored in checkpoints: `{"file": 2, "pos": 1024}`.
    pub fn to_source_offset(self) -> SourceOffset {
        SourceOffset(json!({ "file": self.file, "pos": self.pos }))
    }

    /// Reads an offset written by [`FileOffset::to_source_offset`].
    pub fn from_source_offset(offset: &SourceOffset) -> Result<FileOffset, RuntimeError> {
        let field = |name: &str| offset.0.get(name).and_then(serde_json::Value::as_u64);
        match (field("file"), field("pos")) {
            (Some(file), Some(pos)) => Ok(FileOffset { file: file as usize, pos }),
            _ => Err(RuntimeError::Io {
                context: "filesystem source".into(),
                message: format!("cannot resume from offset {}: expected {{\"file\": <index>, \"pos\": <byte>}}", offset.0),
            }),
        }
    }
}

/// The byte range of one segment, opened: the file positioned at `from`, limited to the bytes
/// of this worker's lines.
pub struct OpenRange {
    /// Index of the file.
    pub file: usize,
    /// Where it is.
    pub path: PathBuf,
    /// Byte offset of the first byte `reader` yields.
    pub from: u64,
    /// True when reading starts at the first line of the file (where a header line would be).
    pub at_file_start: bool,
    /// True when this worker reads the whole file (it is not cut between workers), so records
    /// may span lines (quoted line breaks in CSV).
    pub whole_file: bool,
    /// The bytes to read.
    pub reader: io::Take<File>,
}

/// The segments a worker still has to read, opened one at a time.
pub struct SegmentQueue {
    files: Arc<Vec<InputFile>>,
    segments: VecDeque<Segment>,
    /// Where to resume in the first segment, when resuming.
    resume_pos: Option<u64>,
}

impl SegmentQueue {
    /// The queue of `segments`, skipping what `resume` says was read already.
    pub fn new(files: Arc<Vec<InputFile>>, segments: Vec<Segment>, resume: Option<FileOffset>) -> SegmentQueue {
        let mut segments: VecDeque<Segment> = segments.into();
        let mut resume_pos = None;
        if let Some(off) = resume {
            while segments.front().is_some_and(|s| s.file < off.file) {
                segments.pop_front();
            }
            if segments.front().is_some_and(|s| s.file == off.file) {
                resume_pos = Some(off.pos);
            }
        }
        SegmentQueue { files, segments, resume_pos }
    }

    /// The offset of the next segment's first record (the done offset when none is left).
    pub fn pending_offset(&self) -> FileOffset {
        match self.segments.front() {
            Some(s) => FileOffset { file: s.file, pos: self.resume_pos.unwrap_or(s.start) },
            None => FileOffset { file: self.files.len(), pos: 0 },
        }
    }

    /// Opens the next segment; `None` when all are read.
    pub fn open_next(&mut self) -> Result<Option<OpenRange>, RuntimeError> {
        let Some(seg) = self.segments.pop_front() else { return Ok(None) };
        let resume = self.resume_pos.take();
        let path = self.files[seg.file].path.clone();
        let io_err = |e: io::Error| RuntimeError::Io { context: path.display().to_string(), message: e.to_string() };
        let mut file = File::open(&path).map_err(io_err)?;
        let (from, at_file_start) = match resume {
            Some(pos) if pos > seg.start => (pos, false),
            _ if seg.start == 0 => (skip_bom(&mut file).map_err(io_err)?, true),
            _ => (align_to_line(&mut file, seg.start).map_err(io_err)?, false),
        };
        let limit = if seg.end >= self.files[seg.file].size { u64::MAX } else { align_to_line(&mut file, seg.end).map_err(io_err)?.saturating_sub(from) };
        file.seek(SeekFrom::Start(from)).map_err(io_err)?;
        let whole_file = seg.start == 0 && seg.end >= self.files[seg.file].size;
        Ok(Some(OpenRange { file: seg.file, path, from, at_file_start, whole_file, reader: file.take(limit) }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(sizes: &[u64]) -> Vec<InputFile> {
        sizes.iter().map(|&size| InputFile { path: PathBuf::from("x"), size }).collect()
    }

    #[test]
    fn small_files_go_whole_to_one_worker() {
        let fs = files(&[10, 10, 10, 0, 10]);
        let all: Vec<Segment> = (0..3).flat_map(|w| plan_segments(&fs, 100, w, 3)).collect();
        assert_eq!(all.len(), 4);
        assert!(all.iter().all(|s| s.start == 0 && s.end == 10));
    }

    #[test]
    fn large_files_are_cut_at_worker_bounds() {
        let fs = files(&[100]);
        let segs: Vec<Vec<Segment>> = (0..3).map(|w| plan_segments(&fs, 10, w, 3)).collect();
        assert_eq!(segs[0], vec![Segment { file: 0, start: 0, end: 33 }]);
        assert_eq!(segs[1], vec![Segment { file: 0, start: 33, end: 66 }]);
        assert_eq!(segs[2], vec![Segment { file: 0, start: 66, end: 100 }]);
    }
}
