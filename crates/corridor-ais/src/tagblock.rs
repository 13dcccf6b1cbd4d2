//! NMEA 4.10 tag blocks: `\s:source,c:time,g:1-2-42*hh\`.
//!
//! Parsed in place (borrowing the line). Known keys are split out; every
//! key, known or not, stays reachable through [`TagBlock::fields`]. A value
//! may contain `:` (only the first `:` separates key and value).

use crate::bits::{digits8, find_byte};
use crate::error::Reject;

/// A tag-block group (`g:` or `G:`): sentence `number` of `total`, group `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Group {
    /// 1-based sentence number within the group.
    pub number: u32,
    /// Sentences in the group.
    pub total: u32,
    /// Group id.
    pub id: u32,
}

/// A parsed tag block, borrowing from the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TagBlock<'a> {
    /// Everything between the opening `\` and the `*`.
    pub raw: &'a [u8],
    /// `s:` source / station.
    pub source: Option<&'a str>,
    /// `c:` time as written (seconds or milliseconds since the Unix epoch).
    pub time_raw: Option<i64>,
    /// `g:` group.
    pub group: Option<Group>,
    /// `n:` line count.
    pub line_count: Option<u64>,
    /// `r:` relative time.
    pub relative_time: Option<i64>,
    /// `d:` destination.
    pub destination: Option<&'a str>,
    /// `t:` text.
    pub text: Option<&'a str>,
}

/// A tag block whose text values are still bytes (not yet checked as
/// UTF-8): what the decoder's hot path uses; [`TagBlock`] is built from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RawTag<'a> {
    pub raw: &'a [u8],
    pub source: Option<&'a [u8]>,
    pub time_raw: Option<i64>,
    pub group: Option<Group>,
    pub line_count: Option<u64>,
    pub relative_time: Option<i64>,
    pub destination: Option<&'a [u8]>,
    pub text: Option<&'a [u8]>,
}

impl<'a> RawTag<'a> {
    /// Parse the text between `\` and `\` (checksum included). With
    /// `verify`, a wrong checksum is an error.
    #[inline]
    pub(crate) fn parse(body: &'a [u8], verify: bool) -> Result<RawTag<'a>, Reject> {
        // This runs once per sentence on tagged feeds: the checksum star is
        // nearly always third from the end, so look there first.
        let n = body.len();
        let star = match n.checked_sub(3) {
            Some(i) if body.get(i) == Some(&b'*') => i,
            _ => memchr::memrchr(b'*', body).ok_or(Reject::TagBlockMalformed)?,
        };
        let fields = body.get(..star).ok_or(Reject::TagBlockMalformed)?;
        if verify {
            let want =
                parse_hex2(body.get(star + 1..).unwrap_or(&[])).ok_or(Reject::TagBlockMalformed)?;
            if xor(fields) != want {
                return Err(Reject::TagBlockChecksum);
            }
        }
        let mut tb = RawTag {
            raw: fields,
            ..RawTag::default()
        };
        // Comma-separated `k:value` fields (as `split(',')` would cut them).
        let len = fields.len();
        let mut i = 0;
        loop {
            let end = find_byte(fields, i, b',').unwrap_or(len);
            if let Some([k, b':', v @ ..]) = fields.get(i..end) {
                match k {
                    b's' => tb.source = Some(v),
                    b'c' => tb.time_raw = parse_int(v),
                    b'g' | b'G' => tb.group = parse_group(v),
                    b'n' => tb.line_count = parse_int(v).and_then(|n| u64::try_from(n).ok()),
                    b'r' => tb.relative_time = parse_int(v),
                    b'd' => tb.destination = Some(v),
                    b't' => tb.text = Some(v),
                    _ => {}
                }
            }
            if end >= len {
                break;
            }
            i = end + 1;
        }
        Ok(tb)
    }

    /// `c:` as Unix milliseconds (see [`TagBlock::unix_millis`]).
    #[inline]
    pub(crate) fn unix_millis(&self) -> Option<i64> {
        millis(self.time_raw?)
    }

    /// The public form: text values checked as UTF-8 (`None` if not).
    pub(crate) fn checked(self) -> TagBlock<'a> {
        let text = |v: Option<&'a [u8]>| v.and_then(|v| std::str::from_utf8(v).ok());
        TagBlock {
            raw: self.raw,
            source: text(self.source),
            time_raw: self.time_raw,
            group: self.group,
            line_count: self.line_count,
            relative_time: self.relative_time,
            destination: text(self.destination),
            text: text(self.text),
        }
    }
}

fn millis(c: i64) -> Option<i64> {
    Some(if c.abs() >= 100_000_000_000 {
        c
    } else {
        c.saturating_mul(1000)
    })
}

impl<'a> TagBlock<'a> {
    /// Parse the text between `\` and `\` (checksum included). With
    /// `verify`, a wrong checksum is an error.
    pub fn parse(body: &'a [u8], verify: bool) -> Result<TagBlock<'a>, Reject> {
        RawTag::parse(body, verify).map(RawTag::checked)
    }

    /// Every `key:value` pair in order, unknown keys included (fields that
    /// are not UTF-8 are skipped).
    pub fn fields(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let raw: &'a [u8] = self.raw;
        raw.split(|&c| c == b',')
            .filter(|f| !f.is_empty())
            .filter_map(|f| std::str::from_utf8(f).ok())
            .map(|f| f.split_once(':').unwrap_or((f, "")))
    }

    /// `c:` as Unix milliseconds: values of 10^11 and above are taken as
    /// milliseconds already (10^11 s is the year 5138).
    pub fn unix_millis(&self) -> Option<i64> {
        millis(self.time_raw?)
    }
}

fn parse_group(v: &[u8]) -> Option<Group> {
    let mut it = v.split(|&c| c == b'-');
    let number = u32::try_from(parse_int(it.next()?)?).ok()?;
    let total = u32::try_from(parse_int(it.next()?)?).ok()?;
    let id = u32::try_from(parse_int(it.next()?)?).ok()?;
    Some(Group { number, total, id })
}

/// Decimal integer with optional sign; `None` on anything else or overflow.
#[inline]
fn parse_int(v: &[u8]) -> Option<i64> {
    // Fast path: ten or more plain digits (Unix seconds or milliseconds),
    // eight of them at once; at most 18 digits cannot overflow.
    if let Some(head) = v.get(..8)
        && v.len() <= 18
    {
        let mut a = [0u8; 8];
        a.copy_from_slice(head);
        if let Some(mut n) = digits8(u64::from_le_bytes(a)) {
            let mut ok = true;
            for &c in v.get(8..).unwrap_or(&[]) {
                let d = c.wrapping_sub(b'0');
                ok &= d < 10;
                n = n * 10 + u64::from(d);
            }
            if ok {
                return Some(n as i64);
            }
        }
    }
    let (neg, digits) = match v {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        d => (false, d),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
    }
    Some(if neg { -n } else { n })
}

/// XOR checksum of a byte run.
#[inline]
pub(crate) fn xor(b: &[u8]) -> u8 {
    // Eight bytes at a time, then fold the word.
    let mut chunks = b.chunks_exact(8);
    let mut w = 0u64;
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        w ^= u64::from_le_bytes(a);
    }
    let mut x = w.to_le_bytes().iter().fold(0u8, |a, &c| a ^ c);
    for &c in chunks.remainder() {
        x ^= c;
    }
    x
}

/// Two hex digits (either case).
#[inline]
pub(crate) fn parse_hex2(b: &[u8]) -> Option<u8> {
    fn h(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    match b {
        [a, b, ..] => Some(h(*a)? << 4 | h(*b)?),
        _ => None,
    }
}

/// Build a tag block string `\body*hh\` for the encoder.
pub fn format_tag_block(body: &str) -> String {
    format!("\\{body}*{:02X}\\", xor(body.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Want<'a> = Result<(Option<&'a str>, Option<i64>, Option<Group>), Reject>;

    fn check(body: &str, verify: bool, want: Want<'_>) {
        let got =
            TagBlock::parse(body.as_bytes(), verify).map(|t| (t.source, t.unix_millis(), t.group));
        assert_eq!(got, want, "{body}");
    }

    #[test]
    fn tag_blocks() {
        check(
            "s:rSAR0,c:1700000000*38",
            true,
            Ok((Some("rSAR0"), Some(1_700_000_000_000), None)),
        );
        check(
            "s:rSAR0,c:1700000000*39",
            true,
            Err(Reject::TagBlockChecksum),
        );
        check(
            "s:rSAR0,c:1700000000*39",
            false,
            Ok((Some("rSAR0"), Some(1_700_000_000_000), None)),
        );
        check(
            "g:1-2-1604,s:rORBCOMM008,c:1418169601,T:2014-12-10 00.00.01*37",
            true,
            Ok((
                Some("rORBCOMM008"),
                Some(1_418_169_601_000),
                Some(Group {
                    number: 1,
                    total: 2,
                    id: 1604,
                }),
            )),
        );
        check(
            "c:1418169601123,s:a:b*00",
            false,
            Ok((Some("a:b"), Some(1_418_169_601_123), None)),
        );
        check("no star", true, Err(Reject::TagBlockMalformed));
    }

    #[test]
    fn unknown_keys_kept() {
        let t = TagBlock::parse(b"s:x,q:u,T:2014-12-10 00.41.53*00", false).unwrap();
        let keys: Vec<_> = t.fields().collect();
        assert_eq!(
            keys,
            vec![("s", "x"), ("q", "u"), ("T", "2014-12-10 00.41.53")]
        );
    }
}
