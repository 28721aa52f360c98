//! SQL text handling for the Flink runs: a script cut into statements (PyFlink's
//! `execute_sql` takes one at a time) and a query's `blackhole` sink replaced by another
//! connector.

/// The `WITH` clause of the benchmark queries' sink tables.
pub const BLACKHOLE: &str = "WITH ('connector' = 'blackhole')";

/// The statements of `script`, without their `;` and surrounding blank space: cut at each `;`
/// outside quotes (`'..'`, `".."`, `` `..` ``, a doubled quote staying inside) and comments
/// (`-- ..` to the end of the line, `/* .. */`). Comments are kept in the statements (Flink
/// skips them); statements holding nothing but comments are dropped.
pub fn split_statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = script.chars().peekable();
    let mut meaningful = false;
    while let Some(c) = chars.next() {
        match c {
            ';' => {
                if meaningful {
                    out.push(current.trim().to_string());
                }
                current.clear();
                meaningful = false;
                continue;
            }
            '\'' | '"' | '`' => {
                current.push(c);
                meaningful = true;
                while let Some(q) = chars.next() {
                    current.push(q);
                    if q == c {
                        if chars.peek() == Some(&c) {
                            current.extend(chars.next());
                        } else {
                            break;
                        }
                    }
                }
                continue;
            }
            '-' if chars.peek() == Some(&'-') => {
                current.push(c);
                for n in chars.by_ref() {
                    current.push(n);
                    if n == '\n' {
                        break;
                    }
                }
                continue;
            }
            '/' if chars.peek() == Some(&'*') => {
                current.push(c);
                current.extend(chars.next());
                let mut last = ' ';
                for n in chars.by_ref() {
                    current.push(n);
                    if last == '*' && n == '/' {
                        break;
                    }
                    last = n;
                }
                continue;
            }
            c if !c.is_whitespace() => meaningful = true,
            _ => {}
        }
        current.push(c);
    }
    if meaningful {
        out.push(current.trim().to_string());
    }
    out
}

/// `query` (a benchmark query's text, its sink declared `WITH ('connector' = 'blackhole')`)
/// with that sink writing CSV files into the directory `dir` instead (Flink's and Weir's
/// `filesystem` connector). Errors when the text has no such sink, or more than one.
pub fn with_csv_sink(query: &str, dir: &std::path::Path) -> Result<String, String> {
    let sinks = query.matches(BLACKHOLE).count();
    if sinks != 1 {
        return Err(format!("expected one sink declared {BLACKHOLE}, found {sinks}"));
    }
    let path = dir.to_str().ok_or_else(|| format!("{}: not a UTF-8 path", dir.display()))?.replace('\'', "''");
    Ok(query.replace(BLACKHOLE, &format!("WITH ('connector' = 'filesystem', 'path' = '{path}', 'format' = 'csv')")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_cut_outside_quotes_and_comments() {
        let script = "-- a; comment\nCREATE TABLE t (a INT) WITH ('x' = 'a;b''c');\n\n/* c; */ SELECT `a;` FROM t -- d;\n;\n-- only a comment;\n";
        assert_eq!(split_statements(script), vec!["-- a; comment\nCREATE TABLE t (a INT) WITH ('x' = 'a;b''c')", "/* c; */ SELECT `a;` FROM t -- d;"]);
        assert_eq!(split_statements("SELECT 1"), vec!["SELECT 1"]);
        assert!(split_statements(" ;\n-- x\n").is_empty());
    }

    #[test]
    fn benchmark_queries_split_into_sink_and_insert() {
        for name in ["q0", "q1", "q2", "q5", "q7"] {
            let q = crate::nexmark::queries::find(name).unwrap();
            let s = split_statements(q.sql);
            assert_eq!(s.len(), 2, "{name}: {s:?}");
            assert!(s[0].contains("CREATE TABLE nexmark_") && s[1].contains("INSERT INTO nexmark_"), "{name}");
        }
    }

    #[test]
    fn sink_goes_to_a_directory() {
        let q = "CREATE TABLE s (a INT) WITH ('connector' = 'blackhole');\nINSERT INTO s SELECT 1;";
        let out = with_csv_sink(q, std::path::Path::new("/tmp/it's")).unwrap();
        assert!(out.contains("WITH ('connector' = 'filesystem', 'path' = '/tmp/it''s', 'format' = 'csv')") && !out.contains("blackhole"), "{out}");
        assert!(with_csv_sink("INSERT INTO s SELECT 1", std::path::Path::new("/x")).unwrap_err().contains("found 0"));
    }
}
