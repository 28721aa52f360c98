//! The reader with its fast path against the reader with the `csv` crate alone, over generated
//! files full of quotes, carriage returns, blank and comment lines and bad values, read whole
//! or cut between workers, with and without `csv.ignore-parse-errors`: the same rows, the same
//! skipped count, the same error (file and line included), and resuming from any offset reads
//! the rest.

use std::sync::Arc;

use proptest::prelude::*;

use super::super::{FilesystemSource, Format};
use crate::connectors::SourceFactory;
use crate::connectors::testing::{drain, opts, schema, split_and_resume};
use crate::types::{DataType, Row};

/// The rows (as text) and skipped count of `source` read by `peers` workers, or its error.
fn outcome(source: &FilesystemSource, peers: usize, batch: usize) -> Result<(Vec<String>, u64), String> {
    let mut rows = Vec::new();
    let mut skipped = 0;
    for w in 0..peers {
        let mut reader = source.open(w, peers, None).map_err(|e| e.to_string())?;
        rows.extend(drain(reader.as_mut(), batch).map_err(|e| e.to_string())?.iter().map(Row::to_string));
        skipped += reader.skipped_records();
    }
    Ok((rows, skipped))
}

/// `source` reading with the `csv` crate alone.
fn without_fast_path(source: &FilesystemSource) -> FilesystemSource {
    match &source.format {
        Format::Csv(f) => FilesystemSource { format: Format::Csv(Arc::new(f.without_fast_path())), ..source.clone() },
        Format::Json(_) => source.clone(),
    }
}

fn text_strategy() -> impl Strategy<Value = Vec<u8>> {
    let alphabet = b"1112233-aab ,,,,\"\"\r\n\n\n\n\n#".to_vec();
    prop::collection::vec(prop::sample::select(alphabet), 0..240)
}

fn options_strategy() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    let flag = |name: &'static str| prop::sample::select(vec![None, Some((name, "true"))]);
    (flag("csv.ignore-parse-errors"), flag("csv.ignore-first-line"), flag("csv.allow-comments"), flag("csv.disable-quote-character"))
        .prop_map(|(a, b, c, d)| [a, b, c, d].into_iter().flatten().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_fast_path_reads_what_the_csv_crate_reads(
        text in text_strategy(),
        options in options_strategy(),
        threshold in prop::sample::select(vec![16u64, 60, 1 << 30]),
        peers in 1usize..4,
        batch in 1usize..6,
        resume_after in 0usize..8,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, &text).unwrap();
        let mut o = opts(&[("path", path.to_str().unwrap()), ("format", "csv")]);
        o.extend(opts(&options));
        let s = schema(&[("n", DataType::BigInt), ("s", DataType::String)]);
        let fast = FilesystemSource::new(&o, &s).unwrap().with_split_threshold(threshold);
        let slow = without_fast_path(&fast);
        let expected = outcome(&slow, peers, batch);
        prop_assert_eq!(outcome(&fast, peers, batch), expected.clone());
        if let Ok((rows, _)) = expected {
            let mut resumed = Vec::new();
            for w in 0..peers {
                let (first, _, rest) = split_and_resume(&fast, w, peers, resume_after);
                resumed.extend(first.iter().chain(&rest).map(Row::to_string));
            }
            prop_assert_eq!(resumed, rows);
        }
    }
}
