//! The warm-up input of a Flink run: the first [`WARMUP_ROWS`] lines of the real input, so the
//! warm-up job loads the same classes and runs the same code as the timed job, briefly.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// Rows of a warm-up input.
pub const WARMUP_ROWS: usize = 20_000;

/// Copies the first `lines` lines of `src` into `dst` (reading no more of `src` than that, so
/// the harness's memory, which every child's peak RSS starts from, stays small); the number
/// of lines copied.
pub fn write_prefix(src: &Path, dst: &Path, lines: usize) -> Result<usize, String> {
    let reader = BufReader::new(std::fs::File::open(src).map_err(|e| format!("{}: {e}", src.display()))?);
    let io = |e: std::io::Error| format!("{}: {e}", dst.display());
    let mut out = BufWriter::new(std::fs::File::create(dst).map_err(io)?);
    let mut copied = 0;
    for line in reader.lines().take(lines) {
        writeln!(out, "{}", line.map_err(|e| format!("{}: {e}", src.display()))?).map_err(io)?;
        copied += 1;
    }
    out.flush().map_err(io)?;
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_a_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("in.csv");
        std::fs::write(&src, "a\nb\nc\n").unwrap();
        assert_eq!(write_prefix(&src, &dir.path().join("out.csv"), 2).unwrap(), 2);
        assert_eq!(std::fs::read_to_string(dir.path().join("out.csv")).unwrap(), "a\nb\n");
        assert_eq!(write_prefix(&src, &dir.path().join("all.csv"), 10).unwrap(), 3);
    }
}
