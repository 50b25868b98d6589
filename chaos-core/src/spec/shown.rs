//! How a piece of input is shown in a message: control characters escaped, so that a key or a
//! point name cannot break a log line or forge one, and a long one cut, so that one input cannot
//! fill a log.

use std::fmt;

/// The most characters of one input (a key, a point name, a string value) a message shows.
pub(crate) const SHOWN_CHARS: usize = 128;

/// Whether `c` is escaped in a message: the control characters (newline, NUL, ESC, ...), the
/// line and paragraph separators, and the bidirectional controls, which reorder what a terminal
/// shows.
fn escaped_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Writes `text` with its [`escaped_char`]s as Rust writes them (`\n`, `\0`, `\u{1b}`).
fn write_escaped(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    let mut rest = text;
    while let Some(at) = rest.find(escaped_char) {
        f.write_str(&rest[..at])?;
        let c = rest[at..].chars().next().unwrap_or_default();
        write!(f, "{}", c.escape_debug())?;
        rest = &rest[at + c.len_utf8()..];
    }
    f.write_str(rest)
}

/// `text` as a message shows an input: escaped, and cut after [`SHOWN_CHARS`] characters with
/// an ellipsis.
pub(crate) fn shown(text: &str) -> impl fmt::Display + '_ {
    Shown { text, cut: true }
}

/// `text` escaped as [`shown`] does, but whole: for a message built of inputs already cut.
pub(crate) fn escaped(text: &str) -> impl fmt::Display + '_ {
    Shown { text, cut: false }
}

/// `text` in double quotes, escaped as Rust writes a string (`"a\nb"`), and cut as [`shown`]
/// cuts it (the ellipsis after the closing quote).
pub(crate) fn quoted(text: &str) -> String {
    let (head, whole) = cut(text);
    let more = if whole { "" } else { "…" };
    format!("{head:?}{more}")
}

/// The first [`SHOWN_CHARS`] characters of `text`, and whether that is all of it.
pub(crate) fn cut(text: &str) -> (&str, bool) {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((at, _)) => (&text[..at], false),
        None => (text, true),
    }
}

struct Shown<'a> {
    text: &'a str,
    cut: bool,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.cut {
            return write_escaped(f, self.text);
        }
        let (head, whole) = cut(self.text);
        write_escaped(f, head)?;
        if whole { Ok(()) } else { f.write_str("…") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        for (input, expected) in [
            ("plain::name", "plain::name"),
            ("a\nb", "a\\nb"),
            ("nul\0", "nul\\0"),
            ("\u{1b}[31mred", "\\u{1b}[31mred"),
            ("\r\t", "\\r\\t"),
            ("line\u{2028}sep", "line\\u{2028}sep"),
            ("bidi\u{202e}", "bidi\\u{202e}"),
            ("é ü 中 \\n", "é ü 中 \\n"),
        ] {
            assert_eq!(shown(input).to_string(), expected, "{input:?}");
            assert_eq!(escaped(input).to_string(), expected, "{input:?}");
        }
    }

    #[test]
    fn a_long_input_is_cut_at_a_character_boundary() {
        let long = "é".repeat(SHOWN_CHARS + 1);
        let shown_text = shown(&long).to_string();
        assert_eq!(shown_text, format!("{}…", "é".repeat(SHOWN_CHARS)));
        assert_eq!(
            shown(&long[..SHOWN_CHARS * 2]).to_string(),
            "é".repeat(SHOWN_CHARS)
        );
        assert_eq!(escaped(&long).to_string(), long);
        assert_eq!(quoted(&long), format!("\"{}\"…", "é".repeat(SHOWN_CHARS)));
        assert_eq!(quoted("a\"\n"), r#""a\"\n""#);
        // Cut before escaping: an escape is never split.
        let newlines = "\n".repeat(SHOWN_CHARS * 2);
        assert_eq!(
            shown(&newlines).to_string(),
            format!("{}…", "\\n".repeat(SHOWN_CHARS))
        );
    }
}
