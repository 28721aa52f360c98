//! Directory monitoring (`source.monitor-interval`): the `filesystem` source keeps listing its
//! directory and reads every new file once, never finishing.
//!
//! Each worker lists the directory every interval and takes the new files that are its own:
//! those whose path (relative to the directory) hashes to its index modulo the worker count,
//! so every file is read by exactly one worker whatever order the workers list in. A file is
//! remembered once read and never read again, even if it changes; an empty file is not taken
//! until it has bytes (it may still be being written). Files should appear whole — written
//! elsewhere and moved in, as Flink expects too.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::Format;
use super::split::{FileOffset, InputFile, Segment, SegmentQueue, list_files};
use crate::connectors::{SourceOffset, SourcePoll, SourceReader};
use crate::error::RuntimeError;
use crate::types::Row;

/// One worker's never-ending split of a monitored directory.
pub struct MonitoredDirectory {
    dir: PathBuf,
    interval: Duration,
    worker: usize,
    peers: usize,
    format: Format,
    /// Files (relative paths) taken by this worker, read or being read.
    seen: BTreeSet<PathBuf>,
    /// The files being read now.
    batch: Option<Batch>,
    next_scan: Instant,
    /// Malformed records skipped by readers already done.
    skipped: u64,
}

impl MonitoredDirectory {
    /// Worker `worker` of `peers` watching `dir`, listing it every `interval`; resumes after
    /// `resume` (an offset from [`SourceReader::offset`]) when given.
    pub(super) fn new(
        dir: PathBuf,
        interval: Duration,
        format: Format,
        worker: usize,
        peers: usize,
        resume: Option<&SourceOffset>,
    ) -> Result<MonitoredDirectory, RuntimeError> {
        let mut split = MonitoredDirectory {
            dir,
            interval,
            worker,
            peers: peers.max(1),
            format,
            seen: BTreeSet::new(),
            batch: None,
            next_scan: Instant::now(),
            skipped: 0,
        };
        if let Some(offset) = resume {
            split.resume(offset)?;
        }
        Ok(split)
    }

    fn resume(&mut self, offset: &SourceOffset) -> Result<(), RuntimeError> {
        let bad = || RuntimeError::Io { context: "filesystem source".into(), message: format!("cannot resume a monitored directory from offset {}", offset.0) };
        let paths = |key: &str| -> Result<Vec<PathBuf>, RuntimeError> {
            let list = offset.0.get(key).and_then(serde_json::Value::as_array).ok_or_else(bad)?;
            list.iter().map(|p| p.as_str().map(PathBuf::from).ok_or_else(bad)).collect()
        };
        self.seen = paths("seen")?.into_iter().collect();
        let batch = paths("batch")?;
        if !batch.is_empty() {
            let at = offset.0.get("at").map(|a| FileOffset::from_source_offset(&SourceOffset(a.clone()))).transpose()?;
            let files = batch.iter().map(|p| self.input_file(p)).collect::<Result<Vec<_>, _>>()?;
            self.start_batch(files, at);
        }
        Ok(())
    }

    fn input_file(&self, relative: &Path) -> Result<InputFile, RuntimeError> {
        let path = self.dir.join(relative);
        let size = std::fs::metadata(&path).map_err(|e| RuntimeError::Io { context: path.display().to_string(), message: e.to_string() })?.len();
        Ok(InputFile { path, size })
    }

    fn start_batch(&mut self, files: Vec<InputFile>, resume: Option<FileOffset>) {
        let files = Arc::new(files);
        let segments = files.iter().enumerate().map(|(file, f)| Segment { file, start: 0, end: f.size }).collect();
        let queue = SegmentQueue::new(Arc::clone(&files), segments, resume);
        let reader = self.format.reader(queue);
        self.batch = Some(Batch { files, reader });
    }

    /// Lists the directory and starts reading this worker's new files, if there are any.
    fn scan(&mut self) -> Result<(), RuntimeError> {
        let listed = list_files(&self.dir).map_err(|e| RuntimeError::Io { context: self.dir.display().to_string(), message: e.to_string() })?;
        let mut fresh = Vec::new();
        for file in listed {
            let relative = file.path.strip_prefix(&self.dir).unwrap_or(&file.path).to_path_buf();
            if file.size == 0 || self.seen.contains(&relative) || owner(&relative, self.peers) != self.worker {
                continue;
            }
            self.seen.insert(relative);
            fresh.push(file);
        }
        if !fresh.is_empty() {
            self.start_batch(fresh, None);
        }
        Ok(())
    }

    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.dir).unwrap_or(path).to_string_lossy().into_owned()
    }
}

/// New files being read: the list and the reader over it.
struct Batch {
    files: Arc<Vec<InputFile>>,
    reader: Box<dyn SourceReader>,
}

/// The worker that reads the file at `relative`: a stable hash (FNV-1a) of the path modulo
/// `peers`.
pub fn owner(relative: &Path, peers: usize) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in relative.to_string_lossy().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % peers.max(1) as u64) as usize
}

impl SourceReader for MonitoredDirectory {
    fn poll(&mut self, out: &mut Vec<Row>, max_rows: usize) -> Result<SourcePoll, RuntimeError> {
        if let Some(batch) = self.batch.as_mut() {
            match batch.reader.poll(out, max_rows)? {
                SourcePoll::Finished => {
                    self.skipped += batch.reader.skipped_records();
                    self.batch = None;
                }
                other => return Ok(other),
            }
        }
        let now = Instant::now();
        if now < self.next_scan {
            return Ok(SourcePoll::Idle(self.next_scan - now));
        }
        self.next_scan = now + self.interval;
        self.scan()?;
        Ok(if self.batch.is_some() { SourcePoll::Ready } else { SourcePoll::Idle(self.interval) })
    }

    fn offset(&self) -> SourceOffset {
        let (batch, at) = match &self.batch {
            Some(b) => (b.files.iter().map(|f| self.relative(&f.path)).collect(), b.reader.offset().0),
            None => (Vec::new(), serde_json::Value::Null),
        };
        SourceOffset(json!({ "seen": self.seen.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>(), "batch": batch, "at": at }))
    }

    fn skipped_records(&self) -> u64 {
        self.skipped + self.batch.as_ref().map_or(0, |b| b.reader.skipped_records())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectors::create_source;
    use crate::connectors::testing::{opts, schema, sorted};
    use crate::types::{DataType, Value};

    /// Polls `split` until it has nothing to read now; the rows it gave.
    fn read_now(split: &mut dyn SourceReader) -> Vec<Row> {
        let mut rows = Vec::new();
        loop {
            match split.poll(&mut rows, 3).expect("reads") {
                SourcePoll::Ready => {}
                SourcePoll::Idle(_) => return rows,
                SourcePoll::Finished => panic!("a monitored directory never finishes"),
            }
        }
    }

    #[test]
    fn every_new_file_is_read_once_by_one_worker() {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |i: i64| std::fs::write(dir.path().join(format!("f{i}.csv")), format!("{i}\n{}\n", i + 1000)).expect("write");
        (0..10).for_each(write);
        std::fs::write(dir.path().join("empty.csv"), "").expect("write");
        let o = opts(&[("path", dir.path().to_str().unwrap()), ("format", "csv"), ("source.monitor-interval", "1 ms")]);
        let source = create_source("filesystem", &o, &schema(&[("id", DataType::BigInt)])).expect("source");
        assert_eq!(source.boundedness(), crate::connectors::Boundedness::Unbounded);
        let mut splits: Vec<Box<dyn SourceReader>> = (0..3).map(|w| source.open(w, 3, None).expect("opens")).collect();
        let expected = |ids: std::ops::Range<i64>| sorted(ids.flat_map(|i| [i, i + 1000]).map(|i| Row::new(vec![Value::BigInt(i)])).collect());
        let mut got: Vec<Row> = splits.iter_mut().flat_map(|s| read_now(s.as_mut())).collect();
        assert_eq!(sorted(got), expected(0..10));
        (10..15).for_each(write);
        std::fs::write(dir.path().join("f3.csv"), "3\n1003\n77\n").expect("rewrite");
        std::thread::sleep(Duration::from_millis(5));
        got = splits.iter_mut().flat_map(|s| read_now(s.as_mut())).collect();
        assert_eq!(sorted(got), expected(10..15), "only the new files, once");
        let owners: BTreeSet<usize> = (0..15).map(|i| owner(Path::new(&format!("f{i}.csv")), 3)).collect();
        assert_eq!(owners.len(), 3, "files spread over the workers");
    }

    #[test]
    fn a_split_resumes_from_its_offset() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("a.csv"), "1\n2\n3\n4\n").expect("write");
        let o = opts(&[("path", dir.path().to_str().unwrap()), ("format", "csv"), ("source.monitor-interval", "1 ms")]);
        let source = create_source("filesystem", &o, &schema(&[("id", DataType::BigInt)])).expect("source");
        let mut split = source.open(0, 1, None).expect("opens");
        let mut first = Vec::new();
        while first.is_empty() {
            split.poll(&mut first, 2).expect("reads");
        }
        let offset = split.offset();
        std::fs::write(dir.path().join("b.csv"), "5\n").expect("write");
        let mut resumed = source.open(0, 1, Some(&offset)).expect("resumes");
        std::thread::sleep(Duration::from_millis(5));
        first.extend(read_now(resumed.as_mut()));
        assert_eq!(sorted(first), (1..=5).map(|i| Row::new(vec![Value::BigInt(i)])).collect::<Vec<_>>());
    }
}
