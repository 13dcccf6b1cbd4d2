//! Canonical JSON: the one byte string that is hashed and signed for a value.
//!
//! # The scheme ("corridor canonical JSON v1")
//!
//! The input is a JSON value (a [`serde_json::Value`], or anything that
//! serialises to one). Its canonical bytes are the UTF-8 encoding of the text
//! produced by these rules, applied recursively:
//!
//! * `null`, `true`, `false` are written as such.
//! * **Numbers must be integers** in the range of `i64` or `u64`, written in
//!   plain decimal (`-` for negatives, no `+`, no leading zeros, no exponent,
//!   no fraction). Any non-integer number is refused with
//!   [`CanonicalError::NonIntegerNumber`]: quantities in corridor are carried
//!   as integers (tonnes, counts, bytes, seconds).
//! * Strings are written between `"` with only these escapes: `"` → `\"`,
//!   `\` → `\\`, U+0008 → `\b`, U+0009 → `\t`, U+000A → `\n`, U+000C → `\f`,
//!   U+000D → `\r`, other code points below U+0020 → `\u00xx` with lowercase
//!   hex. Every other character, including non-ASCII, U+007F, U+2028 and
//!   U+2029, is written as itself in UTF-8.
//! * Arrays: `[` elements separated by `,` `]`, in their order.
//! * Objects: `{` members `"key":value` separated by `,` `}`, **sorted by key
//!   compared as UTF-8 byte strings** (the same as Unicode code-point order).
//!   Keys are unique (a JSON object model cannot hold duplicates).
//! * No whitespace anywhere outside strings.
//!
//! For integer-only values whose keys are in the Basic Multilingual Plane this
//! is exactly RFC 8785 (JCS); corridor's keys are ASCII. An independent
//! verifier reproduces it with Python's standard library:
//!
//! ```python
//! json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
//! ```
//!
//! (Python parses JSON integers to `int` and re-emits them identically; a float in
//! an export is already a canonicalisation error on our side.)

use serde::Serialize;
use serde_json::Value;

/// Why a value has no canonical encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    /// A number that is not an integer representable as i64/u64.
    #[error("canonical JSON allows only integers, found {0}")]
    NonIntegerNumber(String),
    /// The value could not be turned into JSON at all.
    #[error("value does not serialise to JSON: {0}")]
    Serialize(String),
}

/// Canonical bytes of any serialisable value.
pub fn to_canonical_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    let v = serde_json::to_value(value).map_err(|e| CanonicalError::Serialize(e.to_string()))?;
    canonical_value_bytes(&v)
}

/// Canonical bytes of a JSON value.
pub fn canonical_value_bytes(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = String::new();
    write_value(value, &mut out)?;
    Ok(out.into_bytes())
}

/// Canonical text of a JSON value (the same bytes as [`canonical_value_bytes`]).
pub fn canonical_string(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::new();
    write_value(value, &mut out)?;
    Ok(out)
}

fn write_value(value: &Value, out: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else {
                return Err(CanonicalError::NonIntegerNumber(n.to_string()));
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_value(v, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(input: Value, expected: Result<&str, CanonicalError>) {
        let got = canonical_string(&input);
        assert_eq!(
            got.as_deref().map_err(Clone::clone),
            expected,
            "input {input}"
        );
    }

    #[test]
    fn canonical_cases() {
        check(json!(null), Ok("null"));
        check(
            json!({"b": 1, "a": [true, false, null]}),
            Ok(r#"{"a":[true,false,null],"b":1}"#),
        );
        check(
            json!({"z": {"y": -5, "x": u64::MAX}}),
            Ok(r#"{"z":{"x":18446744073709551615,"y":-5}}"#),
        );
        check(
            json!("a\"b\\c\n\t\u{1}\u{7f}é€\u{2028}😀"),
            Ok("\"a\\\"b\\\\c\\n\\t\\u0001\u{7f}é€\u{2028}😀\""),
        );
        check(
            json!({"é": 1, "e": 2, "E": 3, "": 4}),
            Ok(r#"{"":4,"E":3,"e":2,"é":1}"#),
        );
        check(
            json!({"q": 1.5}),
            Err(CanonicalError::NonIntegerNumber("1.5".into())),
        );
        check(json!([]), Ok("[]"));
        check(json!({}), Ok("{}"));
    }

    #[test]
    fn reparsing_canonical_text_is_a_fixed_point() {
        let v = json!({"k": ["x", {"b": 2, "a": 1}], "n": -3});
        let s = canonical_string(&v).unwrap();
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(canonical_string(&back).unwrap(), s);
    }
}
