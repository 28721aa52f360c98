//! SQL `LIKE` patterns: `%` matches any run of characters, `_` exactly one, and an optional
//! escape character makes the next `%`, `_` or escape character literal. A pattern is compiled
//! once into `%`-separated segments and matched without backtracking beyond one segment, so a
//! match costs at most (text length × pattern length), never exponential time.

/// A piece of a segment: literal text, or a number of `_` wildcards.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Any(usize),
}

/// A compiled LIKE pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LikePattern {
    /// The pattern split at `%`; one segment means no `%` at all.
    segments: Vec<Vec<Piece>>,
}

impl LikePattern {
    /// Compiles `pattern`; `escape` is the ESCAPE character, if any. Errors on a dangling or
    /// misused escape.
    pub(crate) fn new(pattern: &str, escape: Option<char>) -> Result<LikePattern, String> {
        let mut segments = vec![Vec::new()];
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            let current = segments.last_mut().ok_or("empty pattern")?;
            if Some(c) == escape {
                match chars.next() {
                    Some(e) if e == '%' || e == '_' || Some(e) == escape => push_char(current, e),
                    _ => return Err(format!("invalid escape sequence in LIKE pattern \"{pattern}\"")),
                }
            } else if c == '%' {
                segments.push(Vec::new());
            } else if c == '_' {
                match current.last_mut() {
                    Some(Piece::Any(n)) => *n += 1,
                    _ => current.push(Piece::Any(1)),
                }
            } else {
                push_char(current, c);
            }
        }
        Ok(LikePattern { segments })
    }

    /// Whether `text` matches the whole pattern.
    pub(crate) fn matches(&self, text: &str) -> bool {
        let (first, rest) = match self.segments.split_first() {
            Some(split) => split,
            None => return text.is_empty(),
        };
        let Some(mut pos) = match_at(first, text) else { return false };
        let Some((last, middle)) = rest.split_last() else { return pos == text.len() };
        // The last segment must end the text: it has a fixed length in characters.
        let Some(tail_start) = start_of_last_chars(text, chars_in(last)) else { return false };
        if tail_start < pos || match_at(last, &text[tail_start..]) != Some(text.len() - tail_start) {
            return false;
        }
        let window = &text[..tail_start];
        for segment in middle {
            match find(segment, window, pos) {
                Some(end) => pos = end,
                None => return false,
            }
        }
        true
    }
}

fn push_char(segment: &mut Vec<Piece>, c: char) {
    match segment.last_mut() {
        Some(Piece::Text(t)) => t.push(c),
        _ => segment.push(Piece::Text(c.to_string())),
    }
}

fn chars_in(segment: &[Piece]) -> usize {
    segment
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.chars().count(),
            Piece::Any(n) => *n,
        })
        .sum()
}

/// Byte offset where the last `n` characters of `text` start.
fn start_of_last_chars(text: &str, n: usize) -> Option<usize> {
    if n == 0 {
        return Some(text.len());
    }
    text.char_indices().rev().nth(n - 1).map(|(i, _)| i)
}

/// If `segment` matches a prefix of `text`, the length of that prefix in bytes.
fn match_at(segment: &[Piece], text: &str) -> Option<usize> {
    let mut pos = 0;
    for piece in segment {
        match piece {
            Piece::Text(t) => {
                if !text[pos..].starts_with(t.as_str()) {
                    return None;
                }
                pos += t.len();
            }
            Piece::Any(n) => {
                let rest = &text[pos..];
                let skip = if *n == 0 { 0 } else { rest.char_indices().nth(*n - 1).map(|(i, c)| i + c.len_utf8())? };
                pos += skip;
            }
        }
    }
    Some(pos)
}

/// The end of the leftmost match of `segment` in `text` at or after byte `from`.
fn find(segment: &[Piece], text: &str, from: usize) -> Option<usize> {
    let mut start = from;
    loop {
        if let Some(Piece::Text(t)) = segment.first() {
            start += text.get(start..)?.find(t.as_str())?;
        }
        if let Some(len) = match_at(segment, text.get(start..)?) {
            return Some(start + len);
        }
        let next = text.get(start..)?.chars().next()?;
        start += next.len_utf8();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_edge_cases() {
        let cases: &[(&str, &str, Option<char>, bool)] = &[
            ("abc", "abc", None, true),
            ("abc", "ab", None, false),
            ("abc", "a%", None, true),
            ("abc", "%c", None, true),
            ("abc", "%b%", None, true),
            ("abc", "%", None, true),
            ("", "%", None, true),
            ("", "", None, true),
            ("", "_", None, false),
            ("abc", "___", None, true),
            ("abc", "__", None, false),
            ("abc", "a_c", None, true),
            ("abc", "%%%", None, true),
            ("aXbXc", "a%b%c", None, true),
            ("abcbc", "a%bc", None, true),
            ("abab", "%ab%ab", None, true),
            ("aab", "a%ab", None, true),
            ("ab", "a%ab", None, false),
            ("a", "a%a", None, false),
            ("héllo", "h_llo", None, true),
            ("héllo", "%é%", None, true),
            ("日本語", "__語", None, true),
            ("50%", "50!%", Some('!'), true),
            ("500", "50!%", Some('!'), false),
            ("a_b", "a!_b", Some('!'), true),
            ("axb", "a!_b", Some('!'), false),
            ("a!b", "a!!b", Some('!'), true),
            ("ABC", "abc", None, false),
            ("mississippi", "%iss%ppi", None, true),
            ("mississippi", "m%ss%ss%", None, true),
            ("mississippi", "m%ss%ss%ss%", None, false),
        ];
        for (text, pattern, escape, want) in cases {
            let p = LikePattern::new(pattern, *escape).unwrap();
            assert_eq!(p.matches(text), *want, "{text:?} LIKE {pattern:?}");
        }
        assert!(LikePattern::new("a!", Some('!')).is_err());
        assert!(LikePattern::new("a!b", Some('!')).is_err());
    }
}
