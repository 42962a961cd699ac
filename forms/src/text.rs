//! Text rules shared by validation and rendering.

use regex::Regex;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// One line of text without control characters, invisible characters or
/// bidirectional overrides (they disguise what staff will read).
pub const SAFE_LINE: &str = r"[^\x00-\x1F\x7F-\x9F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]*";

/// Like [`SAFE_LINE`] but newlines and tabs are allowed.
pub const SAFE_TEXT: &str =
    r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]*";

/// True when `pattern` matches the whole of `value`, with the semantics of
/// the HTML `pattern` attribute (`^(?:pattern)$`). Patterns are compile-time
/// constants, so compiled regexes are cached for the life of the process.
pub fn full_match(pattern: &'static str, value: &str) -> bool {
    static CACHE: LazyLock<Mutex<HashMap<&'static str, Regex>>> = LazyLock::new(Default::default);
    let mut cache = CACHE.lock().unwrap_or_else(|poison| poison.into_inner());
    cache
        .entry(pattern)
        .or_insert_with(|| {
            Regex::new(&format!("^(?:{pattern})$"))
                .unwrap_or_else(|e| panic!("invalid field pattern {pattern}: {e}"))
        })
        .is_match(value)
}

/// Counts characters the way the browser's `maxlength` does (UTF-16 code units).
pub fn html_length(value: &str) -> usize {
    value.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_match_anchors_the_pattern_like_html_does() {
        assert!(full_match("[0-9]+", "123"));
        assert!(!full_match("[0-9]+", "123a"));
        assert!(!full_match("a|b", "ab"));
    }

    #[test]
    fn bidi_overrides_and_controls_are_not_safe_but_accents_are() {
        for bad in [
            "abc\u{202E}def",
            "a\u{0}b",
            "a\u{200B}b",
            "a\u{85}b",
            "a\nb",
        ] {
            assert!(!full_match(SAFE_LINE, bad), "{bad:?}");
        }
        assert!(full_match(SAFE_LINE, "José Núñez <b>'\"&"));
        assert!(full_match(SAFE_TEXT, "línea uno\r\nlínea dos\tñ"));
        assert!(!full_match(SAFE_TEXT, "a\u{2066}b"));
    }

    #[test]
    fn html_length_counts_utf16_units() {
        assert_eq!(html_length("año"), 3);
        assert_eq!(html_length("😀"), 2);
    }
}
