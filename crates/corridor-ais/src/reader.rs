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
use crate::error::{Drop, Reject};
use crate::gpsd_json::{self, JsonOptions, Type24View};
use crate::messages::static_data::StaticDataReport;
use crate::messages::{Body, Message, decode_payload};
use crate::reassembly::{Assembler, AssemblerLimits, Fragment};
use crate::sentence::{GatehouseTime, LineParser, ParseOptions, RawFrame};

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
    pub rejected: [u64; 8],
    /// Fragments dropped by the assembler, by [`Drop::index`].
    pub dropped: [u64; 5],
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            lines: 0,
            sentences: 0,
            messages: 0,
            by_type: [0; 64],
            partial: 0,
            rejected: [0; 8],
            dropped: [0; 5],
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
    /// Source (tag block `s:`), "" when none.
    pub source: &'a str,
    /// Receive time in Unix milliseconds (tag block `c:`, Gatehouse `$PGHP`,
    /// or a USCG-style trailer), when the feed carries one.
    pub time_millis: Option<i64>,
    /// Sentences the message came in.
    pub sentences: u8,
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
    pub fn feed_line(&mut self, line: &[u8], mut f: impl FnMut(Decoded<'_>)) {
        self.stats.lines += 1;
        // '#' starts a comment line (gpsd test logs quote sentences in comments).
        if line.first() != Some(&b'!')
            && line.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'#')
        {
            return;
        }
        let mut frames = LineParser::new(line, self.parse);
        while let Some(frame) = frames.next_raw() {
            match frame {
                Err(e) => self.stats.rejected[e.index()] += 1,
                Ok(RawFrame::Gatehouse(t)) => self.gatehouse = Some(t),
                Ok(RawFrame::Vdm { tag, sentence: s }) => {
                    self.stats.sentences += 1;
                    let gh = self.gatehouse.take().map(gatehouse_millis);
                    let time_millis = tag.and_then(|t| t.unix_millis()).or(gh).or_else(|| {
                        if s.trailer.is_empty() {
                            None
                        } else {
                            s.trailer_unix_seconds().map(|v| v * 1000)
                        }
                    });
                    let group = tag.and_then(|t| t.group);
                    let single = s.total == 1 && group.is_none_or(|g| g.total <= 1);
                    let message = if single {
                        let m = decode_payload(s.payload, s.fill);
                        self.count(&m);
                        Some(m)
                    } else {
                        None
                    };
                    let source = match tag.and_then(|t| t.source) {
                        None => "",
                        Some(b) => self.sources.get(line, b).unwrap_or(""),
                    };
                    if let Some(message) = message {
                        f(Decoded {
                            message,
                            talker: s.talker,
                            own_ship: s.own_ship,
                            channel: s.channel,
                            source,
                            time_millis,
                            sentences: 1,
                        });
                        continue;
                    }
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
                    };
                    if let Some(a) = self.assembler.push(frag) {
                        let message = decode_payload(&a.payload, a.fill);
                        self.stats.messages += 1;
                        self.stats.by_type[usize::from(message.msg_type & 63)] += 1;
                        self.stats.partial += u64::from(message.partial);
                        f(Decoded {
                            message,
                            talker: s.talker,
                            own_ship: s.own_ship,
                            channel: a.channel,
                            source: &a.source,
                            time_millis: a.time_millis,
                            sentences: a.parts,
                        });
                    }
                }
            }
        }
    }

    fn count(&mut self, m: &Message) {
        self.stats.messages += 1;
        self.stats.by_type[usize::from(m.msg_type & 63)] += 1;
        self.stats.partial += u64::from(m.partial);
    }

    /// End of input: open groups are counted as dropped (unfinished).
    pub fn finish(&mut self) {
        self.assembler.finish();
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
    let start = Instant::now();
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let mut dec = Decoder::new(opts.parse, opts.limits);
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut t24 = Type24Queue::default();
    let mut err: Option<io::Error> = None;
    for_each_line(input, |line| {
        dec.feed_line(line, |d| {
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
        });
    })?;
    if let Some(e) = err {
        return Err(e);
    }
    dec.finish();
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
