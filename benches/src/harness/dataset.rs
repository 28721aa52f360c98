//! Where benchmark datasets live and how they are (re)generated.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::BenchError;
use crate::bids::{self, BidsConfig};

/// The seed of the standard datasets.
pub const DEFAULT_SEED: u64 = 42;

/// `$WEIR_BENCH_DATA`, else `$HOME/.cache/weir/bench-data`.
pub fn default_dir() -> Result<PathBuf, BenchError> {
    if let Some(dir) = std::env::var_os("WEIR_BENCH_DATA") {
        return Ok(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME").ok_or_else(|| BenchError::Dataflow("HOME is not set; pass an explicit data directory".into()))?;
    Ok(Path::new(&home).join(".cache/weir/bench-data"))
}

/// `<dir>/bids-<rows>-s<seed>.csv`: the name says what generated it.
pub fn default_path(dir: &Path, cfg: &BidsConfig) -> PathBuf {
    dir.join(format!("bids-{}-s{}.csv", cfg.rows, cfg.seed))
}

/// Writes the dataset `cfg` to `path` (creating its directory) through a temporary file renamed
/// into place, so an interrupted run never leaves a truncated dataset behind. Returns its size.
pub fn write(cfg: &BidsConfig, path: &Path) -> Result<u64, BenchError> {
    let io = |source| BenchError::Io { path: path.to_owned(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let file = File::create(&tmp).map_err(|source| BenchError::Io { path: tmp.clone(), source })?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bytes = bids::write_csv(cfg, threads, BufWriter::with_capacity(1 << 20, file)).map_err(|source| BenchError::Io { path: tmp.clone(), source })?;
    std::fs::rename(&tmp, path).map_err(io)?;
    Ok(bytes)
}

/// The dataset `cfg` in `dir`, generated first if it is not there. Returns its path and whether
/// it was generated now.
pub fn ensure(dir: &Path, cfg: &BidsConfig) -> Result<(PathBuf, bool), BenchError> {
    let path = default_path(dir, cfg);
    if path.is_file() {
        return Ok((path, false));
    }
    write(cfg, &path)?;
    Ok((path, true))
}
