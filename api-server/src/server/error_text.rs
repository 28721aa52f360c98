//! Error texts kept or sent by the server are bounded: a message built around a 50 MB CSV field
//! must not become a 50 MB registry record or response. The start of the text (where the
//! engine names the place and shows the offending value) is kept, then a marker saying how much
//! was cut.

use std::borrow::Cow;

/// Longest error text the server stores or returns, in bytes (before the marker).
pub const MAX_ERROR_TEXT: usize = 4096;

/// `text` cut to its first [`MAX_ERROR_TEXT`] bytes (at a character boundary) followed by
/// `… [N more bytes cut]`; unchanged when it fits.
pub fn bounded(text: &str) -> Cow<'_, str> {
    bounded_to(text, MAX_ERROR_TEXT)
}

/// [`bounded`] with an explicit limit.
pub fn bounded_to(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}… [{} more bytes cut; error texts are kept to {max} bytes]", &text[..end], text.len() - end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_keep_their_start_and_say_how_much_was_cut() {
        assert_eq!(bounded("short"), "short");
        let long = format!("field \"x\": {}", "é".repeat(10_000));
        let cut = bounded(&long);
        assert!(cut.starts_with("field \"x\": éé"));
        assert!(cut.len() < MAX_ERROR_TEXT + 100, "{}", cut.len());
        let kept = cut.split('…').next().unwrap().len();
        assert!(cut.ends_with(&format!("[{} more bytes cut; error texts are kept to 4096 bytes]", long.len() - kept)));
    }
}
