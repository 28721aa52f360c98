//! Shared by the decoder targets: the input is written to a file and read by the filesystem
//! source with 1 and 3 workers (the file cut between them), strictly and ignoring errors.
//! Reading must end (no hang), without panics, and when it succeeds strictly, every worker
//! count must read the same rows.

use weir_core::connectors::filesystem::FilesystemSource;
use weir_core::connectors::{SourceFactory, SourcePoll};
use weir_core::types::{DataType, Field, Row, Schema};

fn schema() -> Schema {
    Schema::new(vec![
        Field::new("id", DataType::BigInt),
        Field::new("text", DataType::String),
        Field::new("score", DataType::Double),
        Field::new("day", DataType::Date),
    ])
}

fn read(source: &FilesystemSource, peers: usize) -> Option<Vec<String>> {
    let mut rows: Vec<Row> = Vec::new();
    for worker in 0..peers {
        let mut reader = source.open(worker, peers, None).ok()?;
        loop {
            match reader.poll(&mut rows, 16) {
                Ok(SourcePoll::Finished) => break,
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }
    let mut texts: Vec<String> = rows.iter().map(Row::to_string).collect();
    texts.sort();
    Some(texts)
}

/// Runs one input through the source in `format` (`csv` or `json`).
pub fn run(format: &str, data: &[u8]) {
    let path = std::env::temp_dir().join(format!("weir-fuzz-{format}-{}.data", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    for ignore in ["false", "true"] {
        let mut options = weir_core::connectors::Options::new();
        options.insert("path".into(), path.display().to_string());
        options.insert("format".into(), format.into());
        options.insert(format!("{format}.ignore-parse-errors"), ignore.into());
        let Ok(source) = FilesystemSource::new(&options, &schema()) else { return };
        let source = source.with_split_threshold(8);
        let one = read(&source, 1);
        let three = read(&source, 3);
        if let (Some(one), Some(three), "false") = (&one, &three, ignore) {
            assert_eq!(one, three, "1 and 3 workers read different rows");
        }
    }
    let _ = std::fs::remove_file(&path);
}
