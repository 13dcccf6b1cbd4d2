//! What may be stored as text in the record, whatever the source (an
//! imported cell, an application field, a reason, a file name).

/// Why `text` is not plain text of at most `max` characters, if it is not.
/// Control characters other than those in `allow` are refused, and so are
/// bidirectional overrides, which can make one name display as another.
pub fn plain_text_problem(text: &str, max: usize, allow: &[char]) -> Option<String> {
    let n = text.chars().count();
    if n > max {
        return Some(format!("{n} characters; at most {max}"));
    }
    text.chars()
        .find(|c| {
            (c.is_control() && !allow.contains(c))
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .map(|c| format!("holds the control character U+{:04X}", u32::from(c)))
}

#[cfg(test)]
mod tests {
    use super::plain_text_problem;

    #[test]
    fn plain_text() {
        assert_eq!(plain_text_problem("NAVI STAR", 200, &[]), None);
        assert_eq!(
            plain_text_problem("NAVI\tSTAR", 200, &[]).as_deref(),
            Some("holds the control character U+0009")
        );
        assert_eq!(plain_text_problem("a\tb\nc", 200, &['\t', '\n']), None);
        assert_eq!(
            plain_text_problem("NAVI \u{202e}RATS", 200, &['\n']).as_deref(),
            Some("holds the control character U+202E")
        );
        assert_eq!(
            plain_text_problem("abc", 2, &[]).as_deref(),
            Some("3 characters; at most 2")
        );
    }
}
