//! Streaming decode: lines in, messages out.
//!
//! [`Decoder`] is the push-style core (one line at a time, callback per
//! message); [`decode_stream`] drives it from any `BufRead` and writes gpsd
//! JSON lines (or only counts). Lines are split inside the reader's own
//! buffer and parsed in place; only a line straddling two buffer fills is
//! copied. A single-sentence message is decoded from the borrowed payload
//! without any heap allocation.

use std::fmt;
use std::io::{self, BufRead, Write};
use std::time::{Duration, Instant};

use crate::bits::AisText;
use crate::error::{Drop, Refusal, Reject};
use crate::gpsd_json::{self, JsonOptions, Type24View};
use crate::messages::static_data::StaticDataReport;
use crate::messages::{Body, Message, decode_payload};
use crate::reassembly::{Assembler, AssemblerLimits, Dropped, Fragment};
use crate::sentence::{GatehouseTime, LineParser, ParseOptions, RawFrame, trailer_unix_seconds};
use crate::tagblock::RawTag;

/// Counters of a decode run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Lines read.
    pub lines: u64,
    /// VDM/VDO sentences accepted.
    pub sentences: u64,
    /// Messages decoded.
    pub messages: u64,
    /// Messages by type (index = type, 0-63).
    pub by_type: [u64; 64],
    /// Messages flagged partial.
    pub partial: u64,
    /// Sentences rejected, by [`Reject::index`].
    pub rejected: [u64; Reject::ALL.len()],
    /// Fragments dropped by the assembler, by [`Drop::index`].
    pub dropped: [u64; 5],
    /// Lines with no AIS sentence in them, not even a refused one (other
    /// NMEA sentences, text, binary noise), blank and `#` lines aside.
    pub not_ais: u64,
    /// Sentences whose fill-bit count was above 5, taken as 5.
    pub fill_over_5: u64,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            lines: 0,
            sentences: 0,
            messages: 0,
            by_type: [0; 64],
            partial: 0,
            rejected: [0; Reject::ALL.len()],
            dropped: [0; 5],
            not_ais: 0,
            fill_over_5: 0,
        }
    }
}

impl Stats {
    /// Total rejected sentences.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.iter().sum()
    }
    /// Total dropped fragments.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.iter().sum()
    }
}

/// A decoded message with where and when it came from.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    /// The message.
    pub message: Message,
    /// Talker of the (last) sentence.
    pub talker: [u8; 2],
    /// From a VDO sentence (own ship).
    pub own_ship: bool,
    /// Channel.
    pub channel: Option<u8>,
    /// Sentences the message came in.
    pub sentences: u8,
    /// Where the source and time are read from (see [`Decoded::source`],
    /// [`Decoded::time_millis`]).
    origin: Origin<'a>,
}

/// The source and time of a [`Decoded`]: a single sentence's are read from
/// its line only when asked for; otherwise they were settled up front.
#[derive(Debug, Clone, Copy)]
enum Origin<'a> {
    /// One sentence: its tag block's fields (checksum checked, not parsed
    /// yet) and the text after its checksum.
    Line {
        tag: Option<RawTag<'a>>,
        trailer: &'a str,
    },
    /// Reassembled from several sentences, or timed by a Gatehouse wrapper.
    Known {
        source: &'a str,
        time_millis: Option<i64>,
    },
}

impl<'a> Decoded<'a> {
    /// Source (tag block `s:`), "" when none (or not UTF-8).
    pub fn source(&self) -> &'a str {
        match self.origin {
            Origin::Line { tag, .. } => tag.map_or("", tag_source),
            Origin::Known { source, .. } => source,
        }
    }

    /// Receive time in Unix milliseconds (tag block `c:`, Gatehouse `$PGHP`,
    /// or a USCG-style trailer), when the feed carries one.
    pub fn time_millis(&self) -> Option<i64> {
        match self.origin {
            Origin::Line { tag, trailer } => {
                line_time(tag.and_then(|t| t.unix_millis()), None, trailer)
            }
            Origin::Known { time_millis, .. } => time_millis,
        }
    }
}

/// A sentence after a Gatehouse wrapper: its source and time settled now.
#[cold]
#[inline(never)]
fn gatehouse_origin<'a>(tag: Option<RawTag<'a>>, gatehouse: i64, trailer: &'a str) -> Origin<'a> {
    Origin::Known {
        source: tag.map_or("", tag_source),
        time_millis: line_time(tag.and_then(|t| t.unix_millis()), Some(gatehouse), trailer),
    }
}

/// A tag block's `s:` as text ("" when none or not UTF-8).
fn tag_source(tag: RawTag<'_>) -> &str {
    tag.source()
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
}

/// A sentence's time: its tag block's `c:`, else the Gatehouse time before
/// it, else a USCG-style trailer.
#[inline]
fn line_time(tag: Option<i64>, gatehouse: Option<i64>, trailer: &str) -> Option<i64> {
    tag.or(gatehouse).or_else(|| {
        if trailer.is_empty() {
            None
        } else {
            trailer_unix_seconds(trailer).map(|v| v * 1000)
        }
    })
}

/// Push-style decoder: feed lines, get messages.
#[derive(Debug)]
pub struct Decoder {
    parse: ParseOptions,
    assembler: Assembler,
    stats: Stats,
    gatehouse: Option<GatehouseTime>,
    sources: SourceCache,
}

/// Tag-block sources already checked as UTF-8, so that a source seen before
/// (feeds have a handful) costs a word comparison, not a validation.
/// Direct-mapped; the strings are allocated once, up front.
#[derive(Debug)]
struct SourceCache {
    /// (first 8 bytes as a zero-padded little-endian word, the text).
    slots: Vec<(u64, String)>,
}

impl SourceCache {
    const SLOTS: usize = 16;
    const MAX_LEN: usize = 32;

    fn new() -> Self {
        SourceCache {
            slots: (0..Self::SLOTS)
                .map(|_| (0, String::with_capacity(Self::MAX_LEN)))
                .collect(),
        }
    }

    /// `b` (a part of `line`) as text, `None` if it is not UTF-8.
    #[inline]
    fn get<'s>(&'s mut self, line: &[u8], b: &'s [u8]) -> Option<&'s str> {
        let len = b.len();
        let i = (len ^ usize::from(b.last().copied().unwrap_or(0))) % Self::SLOTS;
        let (key, text) = self.slots.get_mut(i)?;
        // Where `b` sits in the line: its first 8 bytes are one load from there.
        let at = (b.as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
        let word = if len <= 8 {
            crate::bits::load8(line, at).map(|w| w & mask(len))
        } else {
            None
        };
        let hit = match word {
            Some(w) => w == *key && text.len() == len,
            None => text.as_bytes() == b,
        };
        if hit {
            return Some(text.as_str());
        }
        let s = std::str::from_utf8(b).ok()?;
        if len <= Self::MAX_LEN {
            // Within the capacity reserved up front: no allocation.
            text.clear();
            text.push_str(s);
            let mut a = [0u8; 8];
            for (d, c) in a.iter_mut().zip(b) {
                *d = *c;
            }
            *key = u64::from_le_bytes(a);
        }
        Some(s)
    }
}

/// The low `len` (≤ 8) bytes of a word.
#[inline(always)]
fn mask(len: usize) -> u64 {
    if len >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * len)) - 1
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new(ParseOptions::default(), AssemblerLimits::default())
    }
}

impl Decoder {
    /// New decoder.
    pub fn new(parse: ParseOptions, limits: AssemblerLimits) -> Self {
        Decoder {
            parse,
            assembler: Assembler::new(limits),
            stats: Stats::default(),
            gatehouse: None,
            sources: SourceCache::new(),
        }
    }

    /// Counters so far (dropped fragments included).
    pub fn stats(&self) -> Stats {
        let mut s = self.stats.clone();
        s.dropped = *self.assembler.dropped();
        s
    }

    /// Decode one line (with or without its line ending), calling `f` for
    /// every message it completes.
    pub fn feed_line(&mut self, line: &[u8], f: impl FnMut(Decoded<'_>)) {
        self.feed_line_with(line, f, |_| {});
    }

    /// [`Decoder::feed_line`], also calling `rejected` with the reason for
    /// every sentence of the line that is refused (it is counted either way).
    pub fn feed_line_with(
        &mut self,
        line: &[u8],
        f: impl FnMut(Decoded<'_>),
        mut rejected: impl FnMut(Reject),
    ) {
        self.feed_line_reporting(line, f, |_, why, _| {
            if let Refusal::Rejected(r) = why {
                rejected(r);
            }
        });
    }

    /// [`Decoder::feed_line`], also calling `refused(line, reason, text)`
    /// for every sentence of the line that is rejected and every fragment
    /// dropped (of this line or an earlier one), each counted either way:
    /// `line` is the decoder's count of lines fed (from 1), `text` that
    /// line (for a dropped fragment, its first
    /// [`KEPT_TEXT`](crate::reassembly::KEPT_TEXT) bytes).
    pub fn feed_line_reporting(
        &mut self,
        line: &[u8],
        mut f: impl FnMut(Decoded<'_>),
        mut refused: impl FnMut(u64, Refusal, &[u8]),
    ) {
        self.stats.lines += 1;
        let line_no = self.stats.lines;
        // '#' starts a comment line (gpsd test logs quote sentences in comments).
        if line.first() != Some(&b'!')
            && line.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'#')
        {
            return;
        }
        let mut frames = LineParser::new(line, self.parse);
        let mut any = false;
        while let Some(frame) = frames.next_raw() {
            any = true;
            match frame {
                Err(e) => {
                    self.stats.rejected[e.index()] += 1;
                    refused(line_no, Refusal::Rejected(e), line);
                }
                Ok(RawFrame::Gatehouse(t)) => self.gatehouse = Some(t),
                Ok(RawFrame::Vdm { tag, sentence: s }) => {
                    self.stats.sentences += 1;
                    self.stats.fill_over_5 += u64::from(s.fill_over_5);
                    let gatehouse = self.gatehouse.take().map(gatehouse_millis);
                    // A sentence's own count says whether it is whole: a
                    // tag-block group may bundle it with an $AIVSI report.
                    if s.total == 1 {
                        // One sentence: decoded from the borrowed payload; its
                        // tag block's fields are parsed only if asked for.
                        let message = decode_payload(s.payload, s.fill);
                        self.count(&message);
                        let origin = match gatehouse {
                            None => Origin::Line {
                                tag,
                                trailer: s.trailer,
                            },
                            Some(gh) => gatehouse_origin(tag, gh, s.trailer),
                        };
                        f(Decoded {
                            message,
                            talker: s.talker,
                            own_ship: s.own_ship,
                            channel: s.channel,
                            sentences: 1,
                            origin,
                        });
                        continue;
                    }
                    let (source, tag_time, group) =
                        tag.map_or((None, None, None), |t| t.source_time_group());
                    let time_millis = line_time(tag_time, gatehouse, s.trailer);
                    let source = match source {
                        None => "",
                        Some(b) => self.sources.get(line, b).unwrap_or(""),
                    };
                    let frag = Fragment {
                        source,
                        channel: s.channel,
                        seq_id: s.seq_id,
                        group,
                        total: s.total,
                        number: s.number,
                        payload: s.payload,
                        fill: s.fill,
                        time_millis,
                        line: line_no,
                        text: line,
                    };
                    let dropped =
                        |d: Dropped<'_>| refused(d.line, Refusal::Dropped(d.reason), d.text);
                    if let Some(a) = self.assembler.push_reporting(frag, dropped) {
                        let message = decode_payload(&a.payload, a.fill);
                        self.stats.messages += 1;
                        self.stats.by_type[usize::from(message.msg_type & 63)] += 1;
                        self.stats.partial += u64::from(message.partial);
                        f(Decoded {
                            message,
                            talker: s.talker,
                            own_ship: s.own_ship,
                            channel: a.channel,
                            sentences: a.parts,
                            origin: Origin::Known {
                                source: &a.source,
                                time_millis: a.time_millis,
                            },
                        });
                    }
                }
            }
        }
        if !any && line.iter().any(|c| !c.is_ascii_whitespace()) {
            self.stats.not_ais += 1;
        }
    }

    fn count(&mut self, m: &Message) {
        self.stats.messages += 1;
        self.stats.by_type[usize::from(m.msg_type & 63)] += 1;
        self.stats.partial += u64::from(m.partial);
    }

    /// Lines fed so far: the number [`Decoder::feed_line_reporting`]
    /// gave the last one.
    pub fn lines_fed(&self) -> u64 {
        self.stats.lines
    }

    /// Multi-part messages waiting for a further part.
    pub fn open_groups(&self) -> usize {
        self.assembler.open_groups()
    }

    /// The number of every line whose fragment waits for the rest of its
    /// message ([`Assembler::waiting_lines`]).
    pub fn waiting_lines(&self) -> impl Iterator<Item = u64> + '_ {
        self.assembler.waiting_lines()
    }

    /// End of input: open groups are counted as dropped (unfinished).
    pub fn finish(&mut self) {
        self.assembler.finish();
    }

    /// [`Decoder::finish`], naming each unfinished fragment to `refused` as
    /// [`Decoder::feed_line_reporting`] does.
    pub fn finish_reporting(&mut self, mut refused: impl FnMut(u64, Refusal, &[u8])) {
        self.assembler
            .finish_reporting(|d| refused(d.line, Refusal::Dropped(d.reason), d.text));
    }
}

fn gatehouse_millis(t: GatehouseTime) -> i64 {
    let days = days_from_civil(i64::from(t.year), i64::from(t.month), i64::from(t.day));
    ((days * 24 + i64::from(t.hour)) * 60 + i64::from(t.minute)) * 60_000
        + i64::from(t.second) * 1000
        + i64::from(t.millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Options of [`decode_stream`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Sentence parsing (checksum policy).
    pub parse: ParseOptions,
    /// Reassembly limits.
    pub limits: AssemblerLimits,
    /// JSON flavour (scaled, device).
    pub json: JsonOptions,
    /// Count only, write nothing.
    pub stats_only: bool,
    /// Hold type 24 part A and print it merged with the next part B of the
    /// same MMSI, as gpsd does (default true).
    pub merge_type24: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            parse: ParseOptions::default(),
            limits: AssemblerLimits::default(),
            json: JsonOptions {
                scaled: true,
                device: None,
            },
            stats_only: false,
            merge_type24: true,
        }
    }
}

/// What a [`decode_stream`] run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeSummary {
    /// The counters.
    pub stats: Stats,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl fmt::Display for DecodeSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.stats;
        let secs = self.elapsed.as_secs_f64();
        writeln!(f, "lines: {}", s.lines)?;
        writeln!(f, "sentences: {}", s.sentences)?;
        writeln!(f, "messages: {}", s.messages)?;
        for (t, n) in s.by_type.iter().enumerate().filter(|(_, n)| **n > 0) {
            writeln!(f, "  type {t:2}: {n}")?;
        }
        writeln!(f, "partial: {}", s.partial)?;
        writeln!(f, "rejected: {}", s.rejected_total())?;
        for r in Reject::ALL {
            let n = s.rejected[r.index()];
            if n > 0 {
                writeln!(f, "  {}: {n}", r.name())?;
            }
        }
        if s.fill_over_5 > 0 {
            writeln!(f, "fill bits above 5 (taken as 5): {}", s.fill_over_5)?;
        }
        if s.not_ais > 0 {
            writeln!(f, "lines with no AIS sentence: {}", s.not_ais)?;
        }
        writeln!(f, "dropped fragments: {}", s.dropped_total())?;
        for d in Drop::ALL {
            let n = s.dropped[d.index()];
            if n > 0 {
                writeln!(f, "  {}: {n}", d.name())?;
            }
        }
        let rate = if secs > 0.0 {
            s.messages as f64 / secs
        } else {
            0.0
        };
        write!(f, "elapsed: {:.3} s ({rate:.0} msg/s)", secs)
    }
}

/// gpsd's type 24 pairing: a few recent part A names, consumed by a part B.
#[derive(Debug, Default)]
struct Type24Queue {
    ring: [(u32, AisText<20>); 8],
    next: usize,
}

impl Type24Queue {
    fn stash(&mut self, mmsi: u32, name: AisText<20>) {
        self.ring[self.next] = (mmsi, name);
        self.next = (self.next + 1) % self.ring.len();
    }
    fn take(&mut self, mmsi: u32) -> Option<AisText<20>> {
        let slot = self
            .ring
            .iter_mut()
            .find(|(m, _)| *m == mmsi && mmsi != 0)?;
        slot.0 = 0;
        Some(slot.1)
    }
}

/// Call `f` with every line of `input` (line ending included), borrowing
/// from the reader's buffer whenever the whole line is in it.
pub fn for_each_line(mut input: impl BufRead, mut f: impl FnMut(&[u8])) -> io::Result<()> {
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            if !carry.is_empty() {
                f(&carry);
            }
            return Ok(());
        }
        let mut start = 0;
        let len = buf.len();
        while let Some(nl) = buf
            .get(start..)
            .and_then(|b| b.iter().position(|&c| c == b'\n'))
        {
            let end = start + nl + 1;
            let line = buf.get(start..end).unwrap_or(&[]);
            if carry.is_empty() {
                f(line);
            } else {
                carry.extend_from_slice(line);
                f(&carry);
                carry.clear();
            }
            start = end;
        }
        carry.extend_from_slice(buf.get(start..).unwrap_or(&[]));
        input.consume(len);
    }
}

/// Decode `input` and write one gpsd-style JSON object per message and line
/// to `out` (nothing with `stats_only`). I/O errors are returned; bad input
/// is only counted.
pub fn decode_stream(
    input: impl BufRead,
    out: impl Write,
    opts: &DecodeOptions,
) -> io::Result<DecodeSummary> {
    decode_stream_reporting(input, out, |_, _, _| {}, opts)
}

/// [`decode_stream`], calling `refused(line_number, reason, text)` for
/// every rejected sentence and every dropped fragment (lines numbered from
/// 1; `text` is the line, or for a dropped fragment its start): which line,
/// and why.
pub fn decode_stream_reporting(
    input: impl BufRead,
    out: impl Write,
    mut refused: impl FnMut(u64, Refusal, &[u8]),
    opts: &DecodeOptions,
) -> io::Result<DecodeSummary> {
    let start = Instant::now();
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let mut dec = Decoder::new(opts.parse, opts.limits);
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut t24 = Type24Queue::default();
    let mut err: Option<io::Error> = None;
    for_each_line(input, |line| {
        dec.feed_line_reporting(
            line,
            |d| {
                if opts.stats_only || err.is_some() {
                    return;
                }
                buf.clear();
                let m = &d.message;
                if matches!(m.body, Body::Unknown) {
                    // gpsd prints nothing for undefined types; they are still counted.
                    return;
                }
                if opts.merge_type24 {
                    if let Body::StaticData(s) = &m.body {
                        match s {
                            StaticDataReport::A { shipname, .. } => {
                                t24.stash(m.mmsi, *shipname);
                                return;
                            }
                            StaticDataReport::B(b) => {
                                // Like gpsd, a part B without its part A is not printed.
                                let Some(name) = t24.take(m.mmsi) else { return };
                                let view = Type24View::Both(name.as_str(), b);
                                gpsd_json::write_message_with(m, &opts.json, Some(view), &mut buf);
                            }
                            // gpsd drops the undefined part numbers 2 and 3.
                            StaticDataReport::Reserved { .. } => return,
                        }
                    } else {
                        gpsd_json::write_message(m, &opts.json, &mut buf);
                    }
                } else {
                    gpsd_json::write_message(m, &opts.json, &mut buf);
                }
                buf.push(b'\n');
                if let Err(e) = out.write_all(&buf) {
                    err = Some(e);
                }
            },
            &mut refused,
        );
    })?;
    if let Some(e) = err {
        return Err(e);
    }
    dec.finish_reporting(&mut refused);
    out.flush()?;
    Ok(DecodeSummary {
        stats: dec.stats(),
        elapsed: start.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    /// (source, time) of every message decoded from `lines`.
    fn origins(lines: &[&str]) -> Vec<(String, Option<i64>)> {
        let mut d = Decoder::default();
        let mut got = Vec::new();
        for l in lines {
            d.feed_line(l.as_bytes(), |m| {
                got.push((m.source().to_string(), m.time_millis()));
            });
        }
        got
    }

    #[test]
    fn tag_block_fields_read_on_demand() {
        let s = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
        let tagged = |body: &str| format!("{}{s}", crate::tagblock::format_tag_block(body));
        let lines = [
            tagged("s:rSAR0,c:1700000000"),
            // Milliseconds, a value with `:`, unknown keys, the last `s:` wins.
            tagged("s:x,q:1,c:1700000000123,T:2014-12-10 00:41:53,s:a:b"),
            // A group of one is a single sentence.
            tagged("g:1-1-7,s:gG,c:1700000001"),
            // No tag block: the trailer's time.
            format!("{s},d-100,1325394060"),
            // A bad `c:` and no fallback.
            tagged("c:17x,s:r"),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        assert_eq!(
            origins(&lines),
            vec![
                ("rSAR0".into(), Some(1_700_000_000_000)),
                ("a:b".into(), Some(1_700_000_000_123)),
                ("gG".into(), Some(1_700_000_001_000)),
                (String::new(), Some(1_325_394_060_000)),
                ("r".into(), None),
            ]
        );
        // A 1-of-1 sentence in a group of two (its partner an $AIVSI
        // signal report) is whole: it once waited forever. A bad tag-block
        // checksum is still rejected.
        let mut d = Decoder::default();
        let mut n = 0;
        d.feed_line(tagged("s:gdansk,g:1-2-9").as_bytes(), |_| n += 1);
        d.feed_line(format!("\\s:rSAR0,c:1700000000*39\\{s}").as_bytes(), |_| {
            n += 1
        });
        assert_eq!(n, 1);
        assert_eq!(d.stats().rejected[Reject::TagBlockChecksum.index()], 1);
        // Gatehouse time applies when the tag block has no `c:`.
        let gh = "$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17";
        let got = origins(&[gh, &tagged("s:src")]);
        assert_eq!(got, vec![("src".into(), Some(1_210_291_200_010))]);
    }

    #[test]
    fn lines_split_across_buffer_fills() {
        let data = b"ab\ncd\r\nef";
        let mut got = Vec::new();
        for_each_line(io::BufReader::with_capacity(2, &data[..]), |l| {
            got.push(l.to_vec())
        })
        .unwrap();
        assert_eq!(
            got,
            vec![b"ab\n".to_vec(), b"cd\r\n".to_vec(), b"ef".to_vec()]
        );
    }
}
