//! NMEA 4.10 tag blocks: `\s:source,c:time,g:1-2-42*hh\`.
//!
//! Parsed in place (borrowing the line). Known keys are split out; every
//! key, known or not, stays reachable through [`TagBlock::fields`]. A value
//! may contain `:` (only the first `:` separates key and value).

use crate::bits::{digits8, find_byte_until, lanes_eq, load8};
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

/// A tag block as the decoder's hot path keeps it: the checksum is checked,
/// the fields are not parsed yet (they are read on demand, see
/// [`RawTag::source`], [`RawTag::time_raw`], [`RawTag::group`]).
/// [`TagBlock`] is built from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RawTag<'a> {
    /// The line from the first field on: the fields, then `*hh\` and
    /// whatever follows (so that fields can be scanned a word at a time).
    rest: &'a [u8],
    /// Length of the fields (everything up to the `*`) in `rest`.
    len: usize,
    /// Whether `raw` holds a `g` or `G` at all: without one it has no group,
    /// and the field walk for [`RawTag::group`] is skipped.
    pub maybe_group: bool,
}

/// Call `f(key, value)` for every `k:value` field of `b[from..to]`, in
/// order (fields cut as `split(',')` would; others skipped), reading whole
/// words of `b` (which may run past `to`) where it can.
#[inline(always)]
fn for_each_field_in<'a>(b: &'a [u8], from: usize, to: usize, mut f: impl FnMut(u8, &'a [u8])) {
    let mut i = from;
    loop {
        let end = find_byte_until(b, i, to, b',');
        if let Some([k, b':', v @ ..]) = b.get(i..end) {
            f(*k, v);
        }
        if end >= to {
            break;
        }
        i = end + 1;
    }
}

/// The tag block starting at `line[start] == b'\\'` in its usual shape
/// (`\\k:…*hh\\`, whole words readable up to the closing backslash): one
/// pass finds the end and computes the checksum. Returns the block and the
/// index of the closing backslash, or `None` for any other shape (then the
/// general path decides, with the same result).
#[inline]
pub(crate) fn parse_fast(
    line: &[u8],
    start: usize,
    verify: bool,
) -> Option<(Result<RawTag<'_>, Reject>, usize)> {
    let body = start + 1;
    let mut i = body;
    let mut x = 0u64;
    // Whether a byte is `g` or `G` (`c | 0x20 == b'g'` for exactly these
    // two): zero lanes of `(w | CASE) ^ G`, found with the usual
    // `(v - 1) & !v` per lane, its high bits masked once at the end.
    let mut gz = 0u64;
    let end = loop {
        let w = load8(line, i)?;
        let hit = lanes_eq(w, b'\\');
        let v = (w | CASE) ^ LOWER_G;
        let z = v.wrapping_sub(LANES) & !v;
        if hit != 0 {
            let k = hit.trailing_zeros() / 8;
            let before = (1u64 << (8 * k)) - 1;
            x ^= w & before;
            gz |= z & before;
            break i + k as usize;
        }
        x ^= w;
        gz |= z;
        i += 8;
    };
    // `*hh\` and the first bytes after it (a sentence follows) in one word.
    let star = end.checked_sub(3)?;
    let tail = load8(line, star)?;
    if star <= body || tail as u8 != b'*' || line.get(body + 1) != Some(&b':') {
        return None;
    }
    if verify {
        let (h, l) = ((tail >> 8) as u8, (tail >> 16) as u8);
        // XOR of the whole body, less the `*hh` after the fields.
        let x = x ^ (x >> 32);
        let x = x ^ (x >> 16);
        let ck = (x ^ (x >> 8)) as u8 ^ b'*' ^ h ^ l;
        // Compare with the checksum's own digits in upper case (one table
        // load) rather than parsing them; lower case and errors are told
        // apart on the slow path.
        let digits = u16::from_le_bytes([h, l]);
        if HEX_UPPER.get(usize::from(ck)) != Some(&digits) {
            match parse_hex2(&[h, l]) {
                Some(v) if v == ck => {}
                None => return Some((Err(Reject::TagBlockMalformed), end)),
                Some(_) => return Some((Err(Reject::TagBlockChecksum), end)),
            }
        }
    }
    // The fields are left for whoever asks (most consumers of a
    // single-sentence message never do).
    let tb = RawTag {
        rest: line.get(body..)?,
        len: star - body,
        maybe_group: gz & HIGH != 0,
    };
    Some((Ok(tb), end))
}

/// Index of the last `,` in `b[..end]`, eight bytes at a time.
#[inline]
fn rfind_comma(b: &[u8], end: usize) -> Option<usize> {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let mut e = end;
    while e >= 8 {
        let v = load8(b, e - 8)? ^ (LANES * u64::from(b','));
        // The high bit of exactly the zero lanes (no borrows between lanes).
        let zero = !(((v & LOW7) + LOW7) | v | LOW7);
        if zero != 0 {
            return Some(e - 1 - (zero.leading_zeros() / 8) as usize);
        }
        e -= 8;
    }
    b.get(..e)?.iter().rposition(|&c| c == b',')
}

/// Every byte's two upper-case hex digits, as they sit in memory.
static HEX_UPPER: [u16; 256] = {
    let digits = b"0123456789ABCDEF";
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = u16::from_le_bytes([digits[i >> 4], digits[i & 15]]);
        i += 1;
    }
    t
};

/// `0x20` in every lane: ORed in, it folds ASCII upper case onto lower.
const CASE: u64 = 0x2020_2020_2020_2020;
/// `g` in every lane.
const LOWER_G: u64 = 0x6767_6767_6767_6767;
/// One in every lane.
const LANES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every lane.
const HIGH: u64 = 0x8080_8080_8080_8080;

impl<'a> RawTag<'a> {
    /// The fields `rest[..len]` of a block whose checksum was checked.
    #[inline]
    fn new(rest: &'a [u8], len: usize) -> Self {
        let len = len.min(rest.len());
        RawTag {
            rest,
            len,
            maybe_group: rest.iter().take(len).any(|&c| c | 0x20 == b'g'),
        }
    }

    /// Everything between the opening `\` and the `*`.
    #[inline]
    pub(crate) fn raw(&self) -> &'a [u8] {
        self.rest.get(..self.len).unwrap_or(&[])
    }

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
        Ok(RawTag::new(body, fields.len()))
    }

    /// The value of the last field whose key passes `key` (later fields
    /// override earlier ones, as in a full parse): the fields are walked
    /// from the end, so the usual last field (`c:`) is found first.
    #[inline]
    fn last(&self, key: impl Fn(u8) -> bool) -> Option<&'a [u8]> {
        let raw = self.raw();
        let mut end = raw.len();
        loop {
            let start = rfind_comma(raw, end).map_or(0, |c| c + 1);
            if let Some([k, b':', v @ ..]) = raw.get(start..end)
                && key(*k)
            {
                return Some(v);
            }
            end = start.checked_sub(1)?;
        }
    }

    /// `s:` source, as bytes.
    #[inline]
    pub(crate) fn source(&self) -> Option<&'a [u8]> {
        self.last(|k| k == b's')
    }

    /// `c:` time as written.
    #[inline]
    pub(crate) fn time_raw(&self) -> Option<i64> {
        parse_int(self.last(|k| k == b'c')?)
    }

    /// `g:` (or `G:`) group (the reader takes it with the source and time).
    #[cfg(test)]
    pub(crate) fn group(&self) -> Option<Group> {
        if !self.maybe_group {
            return None;
        }
        parse_group(self.last(|k| k == b'g' || k == b'G')?)
    }

    /// `c:` as Unix milliseconds (see [`TagBlock::unix_millis`]).
    #[inline]
    pub(crate) fn unix_millis(&self) -> Option<i64> {
        millis(self.time_raw()?)
    }

    /// Source, time (Unix milliseconds) and group in one walk.
    pub(crate) fn source_time_group(&self) -> (Option<&'a [u8]>, Option<i64>, Option<Group>) {
        let (mut source, mut time, mut group) = (None, None, None);
        for_each_field_in(self.rest, 0, self.len, |k, v| match k {
            b's' => source = Some(v),
            b'c' => time = Some(v),
            b'g' | b'G' => group = Some(v),
            _ => {}
        });
        (
            source,
            time.and_then(parse_int).and_then(millis),
            group.and_then(parse_group),
        )
    }

    /// The public form: every known key parsed, text checked as UTF-8
    /// (`None` if not).
    pub(crate) fn checked(self) -> TagBlock<'a> {
        let text = |v: &'a [u8]| std::str::from_utf8(v).ok();
        let mut tb = TagBlock {
            raw: self.raw(),
            ..TagBlock::default()
        };
        for_each_field_in(self.rest, 0, self.len, |k, v| match k {
            b's' => tb.source = text(v),
            b'c' => tb.time_raw = parse_int(v),
            b'g' | b'G' => tb.group = parse_group(v),
            b'n' => tb.line_count = parse_int(v).and_then(|n| u64::try_from(n).ok()),
            b'r' => tb.relative_time = parse_int(v),
            b'd' => tb.destination = text(v),
            b't' => tb.text = text(v),
            _ => {}
        });
        tb
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
const POW10: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

#[inline]
fn parse_int(v: &[u8]) -> Option<i64> {
    // Fast path: 8 to 16 plain digits (Unix seconds or milliseconds), as
    // two overlapping words of eight: the head's value shifted left by the
    // tail's new digits, plus the tail with the overlap zeroed.
    let len = v.len();
    if (8..=16).contains(&len) {
        let head = load8(v, 0).and_then(digits8);
        let over = 16 - len;
        let keep = if over >= 8 { 0 } else { u64::MAX << (8 * over) };
        let tail = load8(v, len - 8)
            .map(|t| (t & keep) | (0x3030_3030_3030_3030 & !keep))
            .and_then(digits8);
        if let (Some(h), Some(t), Some(p)) = (head, tail, POW10.get(len - 8)) {
            return Some((h * p + t) as i64);
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
    fn integers() {
        for s in [
            "0",
            "7",
            "-12",
            "+5",
            "1234567",
            "12345678",
            "123456789",
            "1700000000",
            "1418169601123",
            "9999999999999999",
            "99999999999999999",
            "9223372036854775807",
            "9223372036854775808",
            "",
            "-",
            "12a4567890",
            "1234567890x",
            "x",
        ] {
            let want = s.parse::<i64>().ok().filter(|_| !s.is_empty());
            assert_eq!(parse_int(s.as_bytes()), want, "{s}");
        }
    }

    #[test]
    fn fields_from_the_end() {
        let body = "s:a,c:1,g:1-2-3,q:x:y,s:b,,c,G:2-2-9";
        for n in 0..=body.len() {
            let b = &body.as_bytes()[..n];
            let want = b.iter().rposition(|&c| c == b',');
            assert_eq!(rfind_comma(b, n), want, "{n}");
        }
        let t = RawTag::new(body.as_bytes(), body.len());
        assert_eq!(t.source(), Some(&b"b"[..]));
        assert_eq!(t.time_raw(), Some(1));
        assert_eq!(
            t.group(),
            Some(Group {
                number: 2,
                total: 2,
                id: 9
            })
        );
        assert_eq!(t.last(|k| k == b'q'), Some(&b"x:y"[..]));
        assert_eq!(RawTag::new(b"x", 1).source(), None);
        assert_eq!(RawTag::new(b"", 0).source(), None);
    }

    proptest::proptest! {
        /// The hot path (fast shape, fields on demand) agrees with the full
        /// parse on any body: verdict, fields, group hint.
        #[test]
        fn on_demand_fields_agree_with_the_full_parse(
            fields in proptest::collection::vec(
                (
                    "(s|c|g|G|q|sx)?",
                    proptest::option::weighted(0.9, "[0-9a-f:-]{0,14}"),
                ),
                0..8,
            ),
            bad in proptest::bool::ANY,
            lower in proptest::bool::ANY,
        ) {
            // Fields as feeds write them (`k:v`), and odd ones (no `:`,
            // a longer key, an empty field).
            let body = fields
                .iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("{k}:{v}"),
                    None => k.clone(),
                })
                .collect::<Vec<_>>()
                .join(",");
            let ck = xor(body.as_bytes()) ^ u8::from(bad);
            let hex = if lower { format!("{ck:02x}") } else { format!("{ck:02X}") };
            let line = format!("\\{body}*{hex}\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A");
            let inner = format!("{body}*{hex}");
            let full = TagBlock::parse(inner.as_bytes(), true);
            let general = RawTag::parse(inner.as_bytes(), true);
            if let Some((fast, end)) = parse_fast(line.as_bytes(), 0, true) {
                proptest::prop_assert_eq!(end, inner.len() + 1);
                proptest::prop_assert_eq!(fast.map(|t| (t.raw(), t.maybe_group)), general.map(|t| (t.raw(), t.maybe_group)));
            }
            proptest::prop_assert_eq!(full.is_ok(), general.is_ok());
            if let (Ok(f), Ok(g)) = (full, general) {
                proptest::prop_assert_eq!(g.source().map(|s| std::str::from_utf8(s).ok()), f.source.map(Some));
                proptest::prop_assert_eq!(g.time_raw(), f.time_raw);
                proptest::prop_assert_eq!(g.group(), f.group);
                proptest::prop_assert_eq!(g.checked(), f);
                let (s, t, gr) = g.source_time_group();
                proptest::prop_assert_eq!(s, g.source());
                proptest::prop_assert_eq!(t, f.unix_millis());
                proptest::prop_assert_eq!(gr, f.group);
                // The full parse, written out: the last of each key wins.
                let mut want = (None, None, None);
                for fld in body.split(',') {
                    if let Some((k, v)) = fld.split_once(':').filter(|(k, _)| k.len() == 1) {
                        match k {
                            "s" => want.0 = Some(v),
                            "c" => want.1 = Some(v),
                            "g" | "G" => want.2 = Some(v),
                            _ => {}
                        }
                    }
                }
                proptest::prop_assert_eq!(f.source, want.0);
                proptest::prop_assert_eq!(f.time_raw, want.1.and_then(|v| parse_int(v.as_bytes())));
                proptest::prop_assert_eq!(f.group, want.2.and_then(|v| parse_group(v.as_bytes())));
            }
        }
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
