//! Times in hashed and signed structures: UTC, whole seconds, written
//! `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339). Fixed width, so the text sorts like the
//! instant it names; the verifier compares the strings or parses them with
//! `datetime.fromisoformat`.

use jiff::Timestamp;

/// Drops sub-second precision (rounds towards the past).
pub fn to_seconds(t: Timestamp) -> Timestamp {
    let s = t.as_second();
    let s = if t.subsec_nanosecond() < 0 { s - 1 } else { s };
    Timestamp::from_second(s).unwrap_or(t)
}

/// The canonical text of a time (after truncation to whole seconds).
pub fn format(t: Timestamp) -> String {
    to_seconds(t).strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Why a time text is not canonical.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("time {0:?} is not canonical RFC 3339 UTC with whole seconds (YYYY-MM-DDTHH:MM:SSZ)")]
pub struct TimeFormatError(pub String);

/// Parses the canonical text only (a different spelling of the same instant is refused,
/// since it would hash differently).
pub fn parse(s: &str) -> Result<Timestamp, TimeFormatError> {
    let t: Timestamp = s.parse().map_err(|_| TimeFormatError(s.to_string()))?;
    if format(t) != s {
        return Err(TimeFormatError(s.to_string()));
    }
    Ok(t)
}

/// Serde adapter for `Timestamp` fields in canonical form.
pub mod rfc3339 {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises in canonical form.
    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format(*t))
    }

    /// Deserialises the canonical form only.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = String::deserialize(d)?;
        super::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Serde adapter for `Option<Timestamp>` fields in canonical form (`null` for none).
pub mod rfc3339_opt {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialises in canonical form or `null`.
    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::format(*t)),
            None => s.serialize_none(),
        }
    }

    /// Deserialises the canonical form or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        s.map(|s| super::parse(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        let got = parse(input).ok().map(format);
        assert_eq!(got.as_deref(), expected, "input {input}");
    }

    #[test]
    fn canonical_times() {
        check("2022-10-29T12:00:00Z", Some("2022-10-29T12:00:00Z"));
        check("2022-10-29T12:00:00.5Z", None);
        check("2022-10-29T14:00:00+02:00", None);
        check("2022-10-29 12:00:00Z", None);
        check("garbage", None);
        let t: Timestamp = "2022-10-29T12:00:00.9Z".parse().unwrap();
        assert_eq!(format(t), "2022-10-29T12:00:00Z");
        let t: Timestamp = "1969-12-31T23:59:59.5Z".parse().unwrap();
        assert_eq!(format(t), "1969-12-31T23:59:59Z");
    }
}
