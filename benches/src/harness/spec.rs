//! The Weir JSON job spec of the bounded group-by query.

use std::path::Path;

use serde_json::{Value, json};

/// The job spec: a filesystem CSV source over `csv`, the per-auction COUNT/SUM/MAX aggregate,
/// and a sink of connector `sink` (`"blackhole"` for timing, `"print"` for checking the answer).
pub fn groupby_spec(csv: &Path, sink: &str) -> Value {
    json!({
        "name": "bids-groupby",
        "nodes": [
            {"kind": "source", "id": "bids", "connector": "filesystem",
             "options": {"path": csv.to_string_lossy(), "format": "csv"},
             "schema": [{"name": "auction", "type": "BIGINT"}, {"name": "bidder", "type": "BIGINT"},
                        {"name": "price", "type": "BIGINT"}, {"name": "ts_ms", "type": "BIGINT"}]},
            {"kind": "aggregate", "id": "per_auction", "input": "bids",
             "group_by": [{"name": "auction", "expr": {"column": "auction"}}],
             "aggregates": [{"name": "bids", "function": "count"},
                            {"name": "total", "function": "sum", "args": [{"column": "price"}]},
                            {"name": "max_price", "function": "max", "args": [{"column": "price"}]}]},
            {"kind": "sink", "id": "out", "input": "per_auction", "connector": sink}
        ]
    })
}

/// Writes the spec next to the dataset as `<csv stem>.groupby.<sink>.json` and returns its path.
pub fn write_next_to(csv: &Path, sink: &str) -> std::io::Result<std::path::PathBuf> {
    let stem = csv.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "bids".into());
    let path = csv.with_file_name(format!("{stem}.groupby.{sink}.json"));
    let text = serde_json::to_string_pretty(&groupby_spec(csv, sink)).map_err(std::io::Error::other)?;
    std::fs::write(&path, text + "\n")?;
    Ok(path)
}
