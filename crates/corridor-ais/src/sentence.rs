//! NMEA 0183 `!xxVDM` / `!xxVDO` sentences, found anywhere in a line.
//!
//! A line can carry a prefix (a receiver's timestamp), one or more
//! `\tag block\` + sentence pairs, metadata after the checksum
//! (`*hh,d-100,S1234,…`) and Gatehouse `$PGHP` time wrappers. [`LineParser`]
//! walks a line and yields [`Frame`]s borrowing from it; nothing is copied.

use crate::bits::{all_armor, find_byte};
use crate::error::Reject;
use crate::tagblock::{RawTag, TagBlock, parse_hex2, xor};

/// How strict the parser is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Verify sentence and tag-block checksums (default). When false a wrong
    /// checksum is only noted in [`Sentence::checksum_ok`].
    pub verify_checksum: bool,
    /// Accept sentences with no `*hh` at all (default false).
    pub allow_missing_checksum: bool,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            verify_checksum: true,
            allow_missing_checksum: false,
        }
    }
}

/// One AIVDM/AIVDO sentence, borrowing its payload from the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// Talker id (`AI`, `AB`, `BS`, `--`, …).
    pub talker: [u8; 2],
    /// `VDO` (own ship) rather than `VDM`.
    pub own_ship: bool,
    /// Number of sentences in the message (1-9).
    pub total: u8,
    /// This sentence's number (1-based).
    pub number: u8,
    /// Sequential message id (0-9) for multi-sentence messages.
    pub seq_id: Option<u8>,
    /// Radio channel byte (`A`, `B`, `1`, `2`, …) or `None` when empty.
    pub channel: Option<u8>,
    /// Armored payload characters (validated).
    pub payload: &'a [u8],
    /// Fill bits (0-5) as sent; a count above 5 is taken as 5.
    pub fill: u8,
    /// The fill-bit count sent was above 5 (no 6-bit character pads more):
    /// taken as 5 and counted, since transmitters get it wrong.
    pub fill_over_5: bool,
    /// Whether the checksum matched.
    pub checksum_ok: bool,
    /// Text after the checksum (`,d-100,…`), without the leading comma.
    pub trailer: &'a str,
}

impl Sentence<'_> {
    /// Significant payload bits of this sentence.
    pub fn bit_len(&self) -> usize {
        (self.payload.len() * 6).saturating_sub(self.fill as usize)
    }

    /// The receive time some feeds append after the checksum (USCG style:
    /// the last comma field, ten digits of Unix seconds).
    pub fn trailer_unix_seconds(&self) -> Option<i64> {
        trailer_unix_seconds(self.trailer)
    }
}

/// See [`Sentence::trailer_unix_seconds`].
pub(crate) fn trailer_unix_seconds(trailer: &str) -> Option<i64> {
    let last = trailer.rsplit(',').next()?;
    (last.len() == 10 && last.bytes().all(|c| c.is_ascii_digit())).then(|| last.parse().ok())?
}

/// Time from a Gatehouse `$PGHP,1,…` wrapper line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GatehouseTime {
    /// Year.
    pub year: u16,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Milliseconds.
    pub millis: u16,
}

/// Something found in a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A VDM/VDO sentence with the tag block that preceded it, if any.
    Vdm {
        /// The tag block just before the sentence.
        tag: Option<TagBlock<'a>>,
        /// The sentence.
        sentence: Sentence<'a>,
    },
    /// A Gatehouse `$PGHP` type 1 time stamp (applies to the next sentence).
    Gatehouse(GatehouseTime),
}

/// Iterator over the frames of one line (CR/LF already stripped or not).
#[derive(Debug, Clone)]
pub struct LineParser<'a> {
    line: &'a [u8],
    pos: usize,
    opts: ParseOptions,
}

impl<'a> LineParser<'a> {
    /// Parse `line` with `opts`.
    pub fn new(line: &'a [u8], opts: ParseOptions) -> Self {
        LineParser { line, pos: 0, opts }
    }
}

/// A frame whose tag block's text values are not yet checked as UTF-8.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RawFrame<'a> {
    Vdm {
        tag: Option<RawTag<'a>>,
        sentence: Sentence<'a>,
    },
    Gatehouse(GatehouseTime),
}

impl<'a> Iterator for LineParser<'a> {
    type Item = Result<Frame<'a>, Reject>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.next_raw()?.map(|f| match f {
            RawFrame::Vdm { tag, sentence } => Frame::Vdm {
                tag: tag.map(RawTag::checked),
                sentence,
            },
            RawFrame::Gatehouse(t) => Frame::Gatehouse(t),
        }))
    }
}

impl<'a> LineParser<'a> {
    /// The next frame, its tag block's checksum checked but its fields left
    /// unparsed. Inlined into the decoder's loop (its result stays in
    /// registers there).
    #[inline(always)]
    pub(crate) fn next_raw(&mut self) -> Option<Result<RawFrame<'a>, Reject>> {
        let line = self.line;
        let mut tag: Option<Result<RawTag<'a>, Reject>> = None;
        loop {
            let rest = line.get(self.pos..)?;
            // Lines nearly always start with one of these: skip the search then.
            let off = match rest.first() {
                Some(b'!' | b'\\' | b'$') => 0,
                _ => memchr::memchr3(b'!', b'\\', b'$', rest)?,
            };
            let start = self.pos + off;
            match line.get(start) {
                Some(b'\\') => {
                    if let Some((t, end)) =
                        crate::tagblock::parse_fast(line, start, self.opts.verify_checksum)
                    {
                        self.pos = end + 1;
                        tag = Some(t);
                        continue;
                    }
                    // Tag block: up to the next backslash.
                    let body_start = start + 1;
                    let rest = line.get(body_start..)?;
                    let Some(len) = find_byte(rest, 0, b'\\') else {
                        // Unterminated: a tag block if it looks like one, else a stray backslash.
                        let upto = rest.iter().position(|&c| c == b'!').unwrap_or(rest.len());
                        if rest
                            .get(..upto)
                            .is_some_and(|t| t.contains(&b':') && t.contains(&b'*'))
                        {
                            self.pos = body_start + upto;
                            return Some(Err(Reject::TagBlockMalformed));
                        }
                        self.pos = body_start;
                        continue;
                    };
                    let body = line.get(body_start..body_start + len)?;
                    // A stray backslash (e.g. a literal "\r\n" in a log) is not a tag block.
                    if body.get(1) != Some(&b':') && memchr::memchr(b':', body).is_none() {
                        self.pos = body_start;
                        continue;
                    }
                    self.pos = body_start + len + 1;
                    tag = Some(RawTag::parse(body, self.opts.verify_checksum));
                }
                Some(b'$') => {
                    self.pos = start + 1;
                    if line.get(start..start + 6) == Some(b"$PGHP,") {
                        let end = line
                            .get(start..)?
                            .iter()
                            .position(|&c| c == b'\r' || c == b'\n');
                        let end = end.map_or(line.len(), |e| start + e);
                        self.pos = end;
                        if let Some(t) = parse_pghp(line.get(start + 1..end)?) {
                            return Some(t.map(RawFrame::Gatehouse));
                        }
                    }
                }
                _ => {
                    // '!': a sentence if it is a VDM/VDO.
                    let head = line.get(start + 1..start + 7);
                    let is_vd = matches!(head, Some([_, _, b'V', b'D', b'M' | b'O', b',']));
                    if !is_vd {
                        self.pos = start + 1;
                        continue;
                    }
                    let (res, next) = parse_sentence(line, start, self.opts);
                    self.pos = next;
                    return Some(match (res, tag) {
                        (Err(e), _) => Err(e),
                        (Ok(_), Some(Err(e))) => Err(e),
                        (Ok(s), Some(Ok(t))) => Ok(RawFrame::Vdm {
                            tag: Some(t),
                            sentence: s,
                        }),
                        (Ok(s), None) => Ok(RawFrame::Vdm {
                            tag: None,
                            sentence: s,
                        }),
                    });
                }
            }
        }
    }
}

/// Parse the sentence starting at `line[start] == b'!'`; returns the result
/// and where scanning resumes.
fn parse_sentence(
    line: &[u8],
    start: usize,
    opts: ParseOptions,
) -> (Result<Sentence<'_>, Reject>, usize) {
    if let Some(r) = parse_canonical(line, start, opts) {
        return r;
    }
    parse_general(line, start, opts)
}

/// Byte at `i`, or 0 past the end (0 matches none of the tests below).
#[inline(always)]
fn at(line: &[u8], i: usize) -> u8 {
    line.get(i).copied().unwrap_or(0)
}

/// The sentence in its canonical shape, `!ttVDM,n,n,[d],[c],payload,d*hh`,
/// in one pass over the payload (which also validates its armor). `None`
/// when the sentence has any other shape (or a payload the general path
/// rejects): then [`parse_general`] decides, so both give the same answer.
#[inline]
fn parse_canonical(
    line: &[u8],
    start: usize,
    opts: ParseOptions,
) -> Option<(Result<Sentence<'_>, Reject>, usize)> {
    // The caller checked `line[start + 1..start + 7]` is `ttVDx,`.
    let talker = [at(line, start + 1), at(line, start + 2)];
    if !talker
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    {
        return None;
    }
    let own_ship = at(line, start + 5) == b'O';
    let p = start + 7;
    let total = at(line, p).wrapping_sub(b'0');
    let number = at(line, p + 2).wrapping_sub(b'0');
    if total.wrapping_sub(1) > 8
        || number.wrapping_sub(1) >= total
        || at(line, p + 1) != b','
        || at(line, p + 3) != b','
    {
        return None;
    }
    let mut q = p + 4;
    let seq_id = match at(line, q) {
        b',' => None,
        d @ b'0'..=b'9' if at(line, q + 1) == b',' => {
            q += 1;
            Some(d - b'0')
        }
        _ => return None,
    };
    q += 1;
    let channel = match at(line, q) {
        b',' => None,
        c if at(line, q + 1) == b',' && !matches!(c, 0 | b'*' | b'!' | b'\\' | b'\r' | b'\n') => {
            q += 1;
            Some(c)
        }
        _ => return None,
    };
    let payload_start = q + 1;
    let e = crate::bits::armor_run(line, payload_start);
    let fill = at(line, e + 1).wrapping_sub(b'0');
    if e == payload_start || at(line, e) != b',' || fill > 9 || at(line, e + 2) != b'*' {
        return None;
    }
    let want = parse_hex2(line.get(e + 3..)?)?;
    let body = line.get(start + 1..e + 2)?;
    let checksum_ok = xor(body) == want;
    let mut next = e + 5;
    let mut trailer: &str = "";
    // Metadata after the checksum runs to the next sentence/tag block.
    let after = line.get(next..).unwrap_or(&[]);
    if after.first() == Some(&b',') {
        let t = after
            .iter()
            .position(|&c| matches!(c, b'!' | b'\\' | b'\r' | b'\n'))
            .unwrap_or(after.len());
        trailer = std::str::from_utf8(after.get(1..t).unwrap_or(&[])).unwrap_or("");
        next += t;
    }
    if !checksum_ok && opts.verify_checksum {
        return Some((Err(Reject::BadChecksum), next));
    }
    Some((
        Ok(Sentence {
            talker,
            own_ship,
            total,
            number,
            seq_id,
            channel,
            payload: line.get(payload_start..e)?,
            fill: fill.min(5),
            fill_over_5: fill > 5,
            checksum_ok,
            trailer,
        }),
        next,
    ))
}

/// How far [`parse_general`]'s fast path looks for the checksum's `*`: far
/// beyond the 82 characters NMEA allows a sentence.
const FAST_PATH_WINDOW: usize = 1024;

/// Any shape: a sentence without checksum followed by another, odd field
/// counts, bad fragments, …
fn parse_general(
    line: &[u8],
    start: usize,
    opts: ParseOptions,
) -> (Result<Sentence<'_>, Reject>, usize) {
    let body_start = start + 1;
    let rest = line.get(body_start..).unwrap_or(&[]);
    // Fast path: the body runs to the first '*'. It is only trusted when it
    // has exactly the 6 commas of a sentence, a fill field of at most one
    // character and no line end / sentence start in the header; otherwise
    // (a sentence without checksum followed by another, …) scan byte by byte.
    let is_special = |c: &u8| matches!(c, b'\r' | b'\n' | b'!' | b'\\');
    // Branch-free "contains a special" for the short header and fill fields.
    let any_special = |b: &[u8]| b.iter().fold(false, |a, c| a | is_special(c));
    let mut commas = [0usize; 7];
    let ncommas;
    let mut fast_ck = 0u8;
    // Only a '*' near the start is looked for: searching the whole rest of a
    // long line at every '!' made such a line quadratic. A longer sentence
    // takes the slow path, which stops at the next '!' or line end.
    let window = rest.get(..rest.len().min(FAST_PATH_WINDOW)).unwrap_or(rest);
    let fast = memchr::memchr(b'*', window).and_then(|i| {
        let body = rest.get(..i)?;
        // One pass: checksum and comma positions (commas are few: the branch predicts well).
        let mut n = 0;
        let mut x = 0u8;
        for (p, &c) in body.iter().enumerate() {
            x ^= c;
            if c == b',' {
                if let Some(slot) = commas.get_mut(n) {
                    *slot = p;
                }
                n += 1;
            }
        }
        fast_ck = x;
        let header_ok = !any_special(body.get(..commas[4])?);
        (n == 6 && i - commas[5] <= 2 && header_ok && !any_special(body.get(commas[5]..)?))
            .then_some((i, n))
    });
    let mut ck_known = false;
    let (body_len, has_star) = match fast {
        Some((i, n)) => {
            ncommas = n;
            ck_known = true;
            (i, true)
        }
        None => {
            let end = rest
                .iter()
                .position(|&c| c == b'*' || is_special(&c))
                .unwrap_or(rest.len());
            let body = rest.get(..end).unwrap_or(&[]);
            let mut n = 0;
            for (slot, p) in commas.iter_mut().zip(memchr::memchr_iter(b',', body)) {
                *slot = p;
                n += 1;
            }
            ncommas = n;
            (end, rest.get(end) == Some(&b'*'))
        }
    };
    let body = rest.get(..body_len).unwrap_or(&[]);
    let ck = if ck_known { fast_ck } else { xor(body) };
    let mut next = body_start + body_len;
    let mut checksum_ok = false;
    let mut trailer: &str = "";
    if has_star {
        match parse_hex2(rest.get(body_len + 1..).unwrap_or(&[])) {
            Some(v) => {
                checksum_ok = v == ck;
                next += 3;
            }
            None => {
                next += 1;
                if !opts.allow_missing_checksum {
                    return (Err(Reject::MissingChecksum), next);
                }
            }
        }
        // Metadata after the checksum runs to the next sentence/tag block.
        let after = line.get(next..).unwrap_or(&[]);
        if after.first() == Some(&b',') {
            let t = after
                .iter()
                .position(|&c| matches!(c, b'!' | b'\\' | b'\r' | b'\n'))
                .unwrap_or(after.len());
            trailer = std::str::from_utf8(after.get(1..t).unwrap_or(&[])).unwrap_or("");
            next += t;
        }
    } else if !opts.allow_missing_checksum {
        return (Err(Reject::MissingChecksum), next.max(start + 1));
    }
    if !checksum_ok && opts.verify_checksum {
        return (Err(Reject::BadChecksum), next);
    }
    if ncommas < 5 {
        return (Err(Reject::Malformed), next);
    }
    // Fields between commas: addr,total,number,seq,channel,payload[,fill]
    let field = |k: usize| -> &[u8] {
        let from = if k == 0 { 0 } else { commas[k - 1] + 1 };
        let to = if k < ncommas.min(7) {
            commas[k]
        } else {
            body.len()
        };
        body.get(from..to).unwrap_or(&[])
    };
    (
        fields(
            field(0),
            field(1),
            field(2),
            field(3),
            field(4),
            field(5),
            (ncommas >= 6).then(|| field(6)),
            checksum_ok,
            trailer,
        ),
        next,
    )
}

#[allow(clippy::too_many_arguments)]
fn fields<'a>(
    addr: &[u8],
    total: &[u8],
    number: &[u8],
    seq: &[u8],
    chan: &[u8],
    payload: &'a [u8],
    fill: Option<&[u8]>,
    checksum_ok: bool,
    trailer: &'a str,
) -> Result<Sentence<'a>, Reject> {
    let talker = [
        *addr.first().ok_or(Reject::Malformed)?,
        *addr.get(1).ok_or(Reject::Malformed)?,
    ];
    let own_ship = addr.get(4) == Some(&b'O');
    let total = digit(total).ok_or(Reject::Malformed)?;
    let number = digit(number).ok_or(Reject::Malformed)?;
    if total == 0 || number == 0 || number > total {
        return Err(Reject::BadFragment);
    }
    let seq_id = match seq {
        [] => None,
        s => Some(digit(s).ok_or(Reject::Malformed)?),
    };
    let channel = chan.first().copied();
    // Fill bits: missing or garbled → 0; above 5 is clamped (transmitters get it wrong).
    let sent_fill = fill.and_then(digit).unwrap_or(0);
    let fill = sent_fill.min(5);
    if payload.is_empty() {
        return Err(Reject::EmptyPayload);
    }
    if !all_armor(payload) {
        return Err(Reject::BadArmor);
    }
    Ok(Sentence {
        talker,
        own_ship,
        total,
        number,
        seq_id,
        channel,
        payload,
        fill,
        fill_over_5: sent_fill > 5,
        checksum_ok,
        trailer,
    })
}

#[inline]
fn digit(s: &[u8]) -> Option<u8> {
    match s {
        [d @ b'0'..=b'9'] => Some(d - b'0'),
        _ => None,
    }
}

/// `PGHP,1,yyyy,mm,dd,hh,mi,ss,ms,…*hh` (only message type 1 carries time;
/// other types are `None`). A type 1 whose time is missing, not numeric or
/// not a real instant is refused rather than turned into a wrong time.
fn parse_pghp(body: &[u8]) -> Option<Result<GatehouseTime, Reject>> {
    let s = std::str::from_utf8(body).ok()?;
    let s = s.split('*').next()?;
    let mut f = s.split(',').skip(1);
    if f.next()? != "1" {
        return None;
    }
    let mut field = |lo: u32, hi: u32| -> Result<u32, Reject> {
        f.next()
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|v| (lo..=hi).contains(v))
            .ok_or(Reject::BadGatehouseTime)
    };
    let t = (|| {
        let year = field(1970, 9999)?;
        let month = field(1, 12)?;
        let day = field(1, days_in_month(year, month))?;
        Ok(GatehouseTime {
            year: u16::try_from(year).map_err(|_| Reject::BadGatehouseTime)?,
            month: month as u8,
            day: day as u8,
            hour: field(0, 23)? as u8,
            minute: field(0, 59)? as u8,
            // 60: a leap second, as UTC allows.
            second: field(0, 60)? as u8,
            millis: field(0, 999)? as u16,
        })
    })();
    Some(t)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// NMEA checksum of `body` (between `!` and `*`).
pub fn checksum(body: &[u8]) -> u8 {
    xor(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (talker, channel, payload, fill, trailer) per frame, or the reject.
    type Got = Vec<Result<(String, Option<u8>, String, u8, String, bool), Reject>>;

    type Want<'a> = Result<(&'a str, Option<u8>, &'a str, u8, &'a str, bool), Reject>;

    fn check(line: &str, opts: ParseOptions, want: &[Want<'_>]) {
        let got: Got = LineParser::new(line.as_bytes(), opts)
            .filter_map(|r| match r {
                Ok(Frame::Vdm { sentence: s, tag }) => Some(Ok((
                    String::from_utf8_lossy(&s.talker).into_owned(),
                    s.channel,
                    String::from_utf8_lossy(s.payload).into_owned(),
                    s.fill,
                    s.trailer.to_string(),
                    tag.is_some(),
                ))),
                Ok(Frame::Gatehouse(_)) => None,
                Err(e) => Some(Err(e)),
            })
            .collect();
        let want: Got = want
            .iter()
            .map(|w| {
                w.map(|(a, b, c, d, e, f)| (a.to_string(), b, c.to_string(), d, e.to_string(), f))
            })
            .collect();
        assert_eq!(got, want, "{line}");
    }

    const P: &str = "15RTgt0PAso;90TKcjM8h6g208CQ";

    #[test]
    fn sentences() {
        let d = ParseOptions::default();
        check(
            "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
            d,
            &[Ok(("AI", Some(b'A'), P, 0, "", false))],
        );
        check(
            "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\r\n",
            d,
            &[Ok(("AI", Some(b'A'), P, 0, "", false))],
        );
        check(
            "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B",
            d,
            &[Err(Reject::BadChecksum)],
        );
        check(
            "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B",
            ParseOptions {
                verify_checksum: false,
                ..d
            },
            &[Ok(("AI", Some(b'A'), P, 0, "", false))],
        );
        check(
            "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0",
            d,
            &[Err(Reject::MissingChecksum)],
        );
        check(
            "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A,d-100,S1234,1325394060",
            d,
            &[Ok((
                "AI",
                Some(b'A'),
                P,
                0,
                "d-100,S1234,1325394060",
                false,
            ))],
        );
        check(
            "1325394060 !AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
            d,
            &[
                Ok(("AI", Some(b'A'), P, 0, "", false)),
                Ok(("AI", Some(b'A'), P, 0, "", false)),
            ],
        );
        // Empty channel (satellite), other talkers.
        check(
            "!ABVDM,1,1,,,15RTgt0PAso;90TKcjM8h6g208CQ,0*00",
            d,
            &[Ok(("AB", None, P, 0, "", false))],
        );
        check(
            "!AIVDM,1,1,,A,15RT~t0PAso;90TKcjM8h6g208CQ,0*41",
            ParseOptions {
                verify_checksum: false,
                ..d
            },
            &[Err(Reject::BadArmor)],
        );
        check(
            "!AIVDM,1,3,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*48",
            ParseOptions {
                verify_checksum: false,
                ..d
            },
            &[Err(Reject::BadFragment)],
        );
        check(
            "\\s:rSAR0,c:1700000000*38\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
            d,
            &[Ok(("AI", Some(b'A'), P, 0, "", true))],
        );
        check(
            "\\s:rSAR0,c:1700000000*39\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
            d,
            &[Err(Reject::TagBlockChecksum)],
        );
        check("$GPGGA,1,2*00", d, &[]);
        check(
            "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\\r\\n!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
            d,
            &[
                Ok(("AI", Some(b'A'), P, 0, "", false)),
                Ok(("AI", Some(b'A'), P, 0, "", false)),
            ],
        );
        check("!AIALR,1,2*00", d, &[]);
        check("", d, &[]);
    }

    #[test]
    fn gatehouse() {
        let f: Vec<_> = LineParser::new(
            b"$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17",
            ParseOptions::default(),
        )
        .collect();
        assert_eq!(
            f,
            vec![Ok(Frame::Gatehouse(GatehouseTime {
                year: 2008,
                month: 5,
                day: 9,
                hour: 0,
                minute: 0,
                second: 0,
                millis: 10
            }))]
        );
        // Finding 11 of the 2026-11-29 review: out-of-range fields became a time.
        fn frames(line: &str) -> Vec<Result<Frame<'_>, Reject>> {
            LineParser::new(line.as_bytes(), ParseOptions::default()).collect()
        }
        for bad in [
            "$PGHP,1,2008,13,9,0,0,0,10,338,2,,1,09*17",
            "$PGHP,1,2008,5,9,99,0,0,10,338,2,,1,09*17",
            "$PGHP,1,2008,4,31,0,0,0,10,338,2,,1,09*17",
            "$PGHP,1,2007,2,29,0,0,0,10,338,2,,1,09*17",
            "$PGHP,1,2008,5,9,0,0,0,1000,338,2,,1,09*17",
            "$PGHP,1,70000,5,9,0,0,0,10,338,2,,1,09*17",
            "$PGHP,1,2008,5,x,0,0,0,10,338,2,,1,09*17",
            "$PGHP,1,2008,5,9*17",
        ] {
            assert_eq!(frames(bad), vec![Err(Reject::BadGatehouseTime)], "{bad}");
        }
        assert!(matches!(
            frames("$PGHP,1,2008,2,29,23,59,60,999*17")[..],
            [Ok(Frame::Gatehouse(GatehouseTime {
                day: 29,
                second: 60,
                ..
            }))]
        ));
        // Other message types carry no time and are passed over.
        assert_eq!(frames("$PGHP,2,2008,13*17"), vec![]);
    }

    /// Finding 9 of the 2026-11-29 review: the checksum search covered the
    /// rest of the line at every '!'. A sentence longer than the window still
    /// parses (through the slow path) to the same result.
    #[test]
    fn long_lines_and_long_sentences() {
        let long = format!("AIVDM,1,1,,A,{},0", "0".repeat(FAST_PATH_WINDOW + 100));
        let line = format!("!{long}*{:02X}", checksum(long.as_bytes()));
        let got: Vec<_> = LineParser::new(line.as_bytes(), ParseOptions::default()).collect();
        assert!(
            matches!(&got[..], [Ok(Frame::Vdm { sentence, .. })]
                if sentence.payload.len() == FAST_PATH_WINDOW + 100 && sentence.checksum_ok),
            "{got:?}"
        );
        let many = format!("{}*00", "!AIVDM,".repeat(10_000));
        let got: Vec<_> = LineParser::new(many.as_bytes(), ParseOptions::default()).collect();
        assert_eq!(got.len(), 10_000);
        assert!(got.iter().all(|f| f.is_err()));
    }
}
