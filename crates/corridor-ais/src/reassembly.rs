//! Multi-sentence reassembly.
//!
//! Fragments are grouped by `(channel, g-group id)` when they carry a
//! tag-block group (`g:` takes precedence; a first part from another
//! source opens a group of its own), else by `(source, channel, sequential id)`.
//! Groups never mix channels. A sentence's own `total,number` fields say
//! where it goes: a tag-block group may also hold other sentences (an
//! `$AIVSI` signal report), so its count is not the message's.
//!
//! Parts of a tag-block group may arrive in any order, since the group id
//! ties them together. Without one, the sequential id (0-9) is reused
//! within seconds, so parts must arrive in order, as gpsd requires: a part
//! that does not follow the one before it is dropped, and a left-over
//! second part can never be joined to the next message with its id.
//! Groups may interleave. Memory is bounded: at most `max_open`
//! groups, each at most 9 parts, and a group older than `max_age` fragments
//! (counted on the assembler's own clock of fragments seen) is dropped.
//! Every dropped fragment is counted under one [`Drop`] reason and, to a
//! caller who asks ([`Assembler::push_reporting`],
//! [`Assembler::finish_reporting`]), named: the line it came on and the
//! start of that line's text (kept with the part while it waits).

use crate::error::Drop;
use crate::tagblock::Group;

/// Limits of the assembler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssemblerLimits {
    /// Open groups kept at most; the oldest is evicted beyond that.
    pub max_open: usize,
    /// A group is dropped once this many later fragments arrived without it completing.
    pub max_age: u64,
}

impl Default for AssemblerLimits {
    fn default() -> Self {
        AssemblerLimits {
            max_open: 256,
            max_age: 2048,
        }
    }
}

/// One sentence of a multi-sentence message, as handed to the assembler.
#[derive(Debug, Clone, Copy)]
pub struct Fragment<'a> {
    /// Source (tag block `s:` or the caller's stream name), "" if none.
    pub source: &'a str,
    /// Channel byte, `None` if empty.
    pub channel: Option<u8>,
    /// Sequential message id.
    pub seq_id: Option<u8>,
    /// Tag-block group, which takes precedence over `seq_id`.
    pub group: Option<Group>,
    /// Sentences in the message.
    pub total: u8,
    /// This sentence's number, 1-based.
    pub number: u8,
    /// Armored payload.
    pub payload: &'a [u8],
    /// Fill bits of this sentence.
    pub fill: u8,
    /// Receive time carried by this fragment (tag block `c:`), Unix ms.
    pub time_millis: Option<i64>,
    /// The caller's number for the line it came on (0 if none).
    pub line: u64,
    /// That line's text: its first [`KEPT_TEXT`] bytes are kept with the
    /// part, to name it if it is dropped.
    pub text: &'a [u8],
}

/// How much of a fragment's line is kept to name it: an NMEA sentence's
/// 82 characters and a few more (a report cutting at 82 can tell it was cut).
pub const KEPT_TEXT: usize = 96;

/// A dropped fragment, as named to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped<'a> {
    /// Why.
    pub reason: Drop,
    /// The line it came on ([`Fragment::line`]).
    pub line: u64,
    /// The start of that line ([`KEPT_TEXT`] bytes at most).
    pub text: &'a [u8],
}

/// A completed multi-sentence message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assembled {
    /// Concatenated armored payload.
    pub payload: Vec<u8>,
    /// Fill bits of the last sentence.
    pub fill: u8,
    /// Channel.
    pub channel: Option<u8>,
    /// Source.
    pub source: String,
    /// Number of sentences joined.
    pub parts: u8,
    /// Receive time of the first fragment that had one.
    pub time_millis: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Group(u32),
    Seq(Option<u8>),
}

/// A part waiting for its group: the start of its line, then its payload,
/// in one buffer (one allocation, as the payload alone took).
#[derive(Debug)]
struct Part {
    bytes: Vec<u8>,
    text_len: usize,
    fill: u8,
    line: u64,
}

impl Part {
    fn new(f: &Fragment<'_>) -> Self {
        let text = f.text.get(..KEPT_TEXT).unwrap_or(f.text);
        let mut bytes = Vec::with_capacity(text.len() + f.payload.len());
        bytes.extend_from_slice(text);
        bytes.extend_from_slice(f.payload);
        Part {
            bytes,
            text_len: text.len(),
            fill: f.fill,
            line: f.line,
        }
    }
    fn text(&self) -> &[u8] {
        self.bytes.get(..self.text_len).unwrap_or(&[])
    }
    fn payload(&self) -> &[u8] {
        self.bytes.get(self.text_len..).unwrap_or(&[])
    }
}

#[derive(Debug)]
struct Open {
    source: String,
    channel: Option<u8>,
    key: Key,
    total: u8,
    born: u64,
    parts: [Option<Part>; 9],
    have: u8,
    time_millis: Option<i64>,
}

/// Reassembles multi-sentence messages with bounded memory.
#[derive(Debug, Default)]
pub struct Assembler {
    limits: AssemblerLimits,
    open: Vec<Open>,
    clock: u64,
    dropped: [u64; 5],
}

impl Assembler {
    /// New assembler with `limits`.
    pub fn new(limits: AssemblerLimits) -> Self {
        Assembler {
            limits,
            open: Vec::new(),
            clock: 0,
            dropped: [0; 5],
        }
    }

    /// Fragments dropped, indexed by [`Drop::index`].
    pub fn dropped(&self) -> &[u64; 5] {
        &self.dropped
    }

    /// Open groups right now.
    pub fn open_groups(&self) -> usize {
        self.open.len()
    }

    /// The line ([`Fragment::line`]) of every part waiting in an open
    /// group, in no particular order: a caller that must keep its input
    /// until the parts it carried are used (a queue's unacknowledged
    /// message) asks which of its lines are still waiting.
    pub fn waiting_lines(&self) -> impl Iterator<Item = u64> + '_ {
        self.open
            .iter()
            .flat_map(|o| o.parts.iter().flatten().map(|p| p.line))
    }

    /// Drops open group `i`: each part counted and named, in line order.
    fn drop_group(&mut self, i: usize, why: Drop, report: &mut impl FnMut(Dropped<'_>)) {
        let mut g = self.open.swap_remove(i);
        self.dropped[why.index()] += u64::from(g.have);
        g.parts
            .sort_unstable_by_key(|p| p.as_ref().map_or(u64::MAX, |p| p.line));
        for p in g.parts.iter().flatten() {
            report(Dropped {
                reason: why,
                line: p.line,
                text: p.text(),
            });
        }
    }

    /// Drops the fragment being pushed.
    fn drop_this(&mut self, f: &Fragment<'_>, why: Drop, report: &mut impl FnMut(Dropped<'_>)) {
        self.dropped[why.index()] += 1;
        report(Dropped {
            reason: why,
            line: f.line,
            text: f.text.get(..KEPT_TEXT).unwrap_or(f.text),
        });
    }

    /// Add a fragment; returns the message when this fragment completes it.
    pub fn push(&mut self, f: Fragment<'_>) -> Option<Assembled> {
        self.push_reporting(f, |_| {})
    }

    /// [`Assembler::push`], also naming every fragment it drops (this one
    /// or waiting ones) to `report`; each is counted either way.
    pub fn push_reporting(
        &mut self,
        f: Fragment<'_>,
        mut report: impl FnMut(Dropped<'_>),
    ) -> Option<Assembled> {
        let report = &mut report;
        self.clock += 1;
        let (total, number) = (f.total, f.number);
        if total == 0 || total > 9 || number == 0 || number > total {
            self.drop_this(&f, Drop::Inconsistent, report);
            return None;
        }
        if total == 1 {
            return Some(Assembled {
                payload: f.payload.to_vec(),
                fill: f.fill,
                channel: f.channel,
                source: f.source.to_string(),
                parts: 1,
                time_millis: f.time_millis,
            });
        }
        // Age out stale groups.
        let max_age = self.limits.max_age;
        let now = self.clock;
        let mut i = 0;
        while i < self.open.len() {
            if now.saturating_sub(self.open[i].born) > max_age {
                self.drop_group(i, Drop::AgedOut, report);
            } else {
                i += 1;
            }
        }
        let key = match f.group {
            Some(g) => Key::Group(g.id),
            None => Key::Seq(f.seq_id),
        };
        // Seq ids are per source. A group id ties parts whatever source
        // stamped them (later parts may carry another `s:`, or none), but a
        // part goes to its own source's group first, and a first part from
        // another source opens a group of its own: two receivers that reuse
        // an id are not spliced together.
        let by_group = matches!(key, Key::Group(_));
        let same = |o: &Open| o.key == key && o.channel == f.channel;
        let idx = self
            .open
            .iter()
            .position(|o| same(o) && o.source == f.source)
            .or_else(|| {
                let other = self.open.iter().position(same)?;
                let o = &self.open[other];
                let first_part_here = o.parts[0].is_some() && !o.source.is_empty();
                (by_group && (number > 1 || f.source.is_empty() || !first_part_here))
                    .then_some(other)
            });
        let idx = match idx {
            Some(i) => {
                let o = &self.open[i];
                let slot_taken = o
                    .parts
                    .get(usize::from(number - 1))
                    .is_some_and(Option::is_some);
                if o.total != total {
                    self.drop_group(i, Drop::Inconsistent, report);
                    None
                } else if slot_taken {
                    self.drop_group(i, Drop::Duplicate, report);
                    None
                } else if !by_group && number != o.have + 1 {
                    // Out of sequence without a group id: neither fits.
                    self.drop_group(i, Drop::Inconsistent, report);
                    self.drop_this(&f, Drop::Inconsistent, report);
                    return None;
                } else {
                    Some(i)
                }
            }
            None => None,
        };
        if idx.is_none() && !by_group && number > 1 {
            // A later part whose first part never came (or was dropped).
            self.drop_this(&f, Drop::Inconsistent, report);
            return None;
        }
        let idx = match idx {
            Some(i) => i,
            None => {
                if self.open.len() >= self.limits.max_open.max(1) {
                    // Evict the oldest group.
                    if let Some((oldest, _)) =
                        self.open.iter().enumerate().min_by_key(|(_, o)| o.born)
                    {
                        self.drop_group(oldest, Drop::Evicted, report);
                    }
                }
                self.open.push(Open {
                    source: f.source.to_string(),
                    channel: f.channel,
                    key,
                    total,
                    born: now,
                    parts: Default::default(),
                    have: 0,
                    time_millis: None,
                });
                self.open.len() - 1
            }
        };
        let o = self.open.get_mut(idx)?;
        if let Some(slot) = o.parts.get_mut(usize::from(number - 1)) {
            *slot = Some(Part::new(&f));
            o.have += 1;
        }
        if o.time_millis.is_none() || number == 1 {
            o.time_millis = f.time_millis.or(o.time_millis);
        }
        if o.have < o.total {
            return None;
        }
        let o = self.open.swap_remove(idx);
        let mut payload =
            Vec::with_capacity(o.parts.iter().flatten().map(|p| p.payload().len()).sum());
        let mut fill = 0;
        for p in o.parts.iter().flatten() {
            payload.extend_from_slice(p.payload());
            fill = p.fill;
        }
        Some(Assembled {
            payload,
            fill,
            channel: o.channel,
            source: o.source,
            parts: o.total,
            time_millis: o.time_millis,
        })
    }

    /// End of input: count what is still open as [`Drop::Unfinished`].
    pub fn finish(&mut self) {
        self.finish_reporting(|_| {});
    }

    /// [`Assembler::finish`], also naming each unfinished fragment to `report`.
    pub fn finish_reporting(&mut self, mut report: impl FnMut(Dropped<'_>)) {
        // Oldest group first (the order their lines came in): from the end.
        self.open
            .sort_unstable_by_key(|o| std::cmp::Reverse(o.born));
        while let Some(last) = self.open.len().checked_sub(1) {
            self.drop_group(last, Drop::Unfinished, &mut report);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (source, channel, seq, group, total, number, payload)
    type F = (
        &'static str,
        Option<u8>,
        Option<u8>,
        Option<(u32, u32, u32)>,
        u8,
        u8,
        &'static str,
    );

    /// Also checks that every dropped fragment counted is named once, by
    /// its line (here its index in `frags`, from 1) and text.
    fn check(limits: AssemblerLimits, frags: &[F], want_msgs: &[&str], want_drops: [u64; 5]) {
        let mut a = Assembler::new(limits);
        let mut got = Vec::new();
        let mut named = [0u64; 5];
        let mut lines = Vec::new();
        let mut report = |d: Dropped<'_>| {
            named[d.reason.index()] += 1;
            lines.push(d.line);
            let (.., payload) = frags[(d.line - 1) as usize];
            assert_eq!(d.text, format!("line {}: {payload}", d.line).as_bytes());
        };
        for (i, &(source, channel, seq_id, group, total, number, payload)) in
            frags.iter().enumerate()
        {
            let text = format!("line {}: {payload}", i + 1);
            let group = group.map(|(number, total, id)| Group { number, total, id });
            let f = Fragment {
                source,
                channel,
                seq_id,
                group,
                total,
                number,
                payload: payload.as_bytes(),
                fill: 0,
                time_millis: None,
                line: i as u64 + 1,
                text: text.as_bytes(),
            };
            if let Some(m) = a.push_reporting(f, &mut report) {
                got.push(String::from_utf8(m.payload).unwrap());
            }
        }
        // What waits at the end is exactly what the end drops, by line.
        let mut waiting: Vec<u64> = a.waiting_lines().collect();
        waiting.sort_unstable();
        let mut unfinished = Vec::new();
        a.finish_reporting(|d| {
            unfinished.push(d.line);
            report(d);
        });
        unfinished.sort_unstable();
        assert_eq!(waiting, unfinished, "waiting lines");
        assert_eq!(got, want_msgs);
        assert_eq!(*a.dropped(), want_drops);
        assert_eq!(named, want_drops, "named as counted");
        lines.sort_unstable();
        lines.dedup();
        assert_eq!(
            lines.len() as u64,
            want_drops.iter().sum::<u64>(),
            "each once"
        );
    }

    const A: Option<u8> = Some(b'A');
    const B: Option<u8> = Some(b'B');

    #[test]
    fn reassembly() {
        let l = AssemblerLimits::default();
        // In order, interleaved, out of order.
        check(
            l,
            &[
                ("", A, Some(1), None, 2, 1, "ab"),
                ("", A, Some(1), None, 2, 2, "cd"),
            ],
            &["abcd"],
            [0; 5],
        );
        check(
            l,
            &[
                ("", A, Some(1), None, 2, 1, "ab"),
                ("", A, Some(2), None, 2, 1, "XX"),
                ("", A, Some(1), None, 2, 2, "cd"),
                ("", A, Some(2), None, 2, 2, "YY"),
            ],
            &["abcd", "XXYY"],
            [0; 5],
        );
        // Without a group id, a part out of sequence is dropped: a stray
        // second part was once kept and joined to the next message with the
        // same id (a destination of "NEW YORK #??????????").
        check(
            l,
            &[
                ("", A, Some(3), None, 2, 2, "ww"),
                ("", A, Some(3), None, 2, 1, "ab"),
                ("", A, Some(3), None, 2, 2, "cd"),
            ],
            &["abcd"],
            [0, 0, 0, 1, 0],
        );
        check(
            l,
            &[
                ("", A, Some(3), None, 3, 1, "ab"),
                ("", A, Some(3), None, 3, 3, "ef"),
                ("", A, Some(3), None, 3, 2, "cd"),
            ],
            &[],
            [0, 0, 0, 3, 0],
        );
        // With one, in any order.
        check(
            l,
            &[
                ("s1", A, Some(6), Some((2, 2, 1604)), 2, 2, "cd"),
                ("", A, Some(6), Some((1, 2, 1604)), 2, 1, "ab"),
            ],
            &["abcd"],
            [0; 5],
        );
        // Never across channels.
        check(
            l,
            &[
                ("", A, Some(1), None, 2, 1, "ab"),
                ("", B, Some(1), None, 2, 2, "cd"),
            ],
            &[],
            [0, 0, 0, 1, 1],
        );
        // Nor across sources.
        check(
            l,
            &[
                ("s1", A, Some(1), None, 2, 1, "ab"),
                ("s2", A, Some(1), None, 2, 2, "cd"),
            ],
            &[],
            [0, 0, 0, 1, 1],
        );
        // Tag-block group wins over seq id and source; but two receivers'
        // groups with one id are not spliced (they once were).
        check(
            l,
            &[
                ("s1", A, Some(6), Some((1, 2, 1604)), 2, 1, "ab"),
                ("s2", A, Some(7), Some((2, 2, 1604)), 2, 2, "cd"),
            ],
            &["abcd"],
            [0; 5],
        );
        check(
            l,
            &[
                ("rx1", B, Some(3), Some((1, 2, 7)), 2, 1, "ab"),
                ("rx2", B, Some(4), Some((1, 2, 7)), 2, 1, "XX"),
                ("rx1", B, Some(3), Some((2, 2, 7)), 2, 2, "cd"),
                ("rx2", B, Some(4), Some((2, 2, 7)), 2, 2, "YY"),
            ],
            &["abcd", "XXYY"],
            [0; 5],
        );
        // A group that also holds an $AIVSI report counts three sentences;
        // the message's own fields say two.
        check(
            l,
            &[
                ("r", A, Some(3), Some((1, 3, 1234)), 2, 1, "ab"),
                ("", A, Some(3), Some((2, 3, 1234)), 2, 2, "cd"),
            ],
            &["abcd"],
            [0; 5],
        );
        // Duplicate first part restarts the group.
        check(
            l,
            &[
                ("", A, Some(1), None, 2, 1, "ab"),
                ("", A, Some(1), None, 2, 1, "xy"),
                ("", A, Some(1), None, 2, 2, "cd"),
            ],
            &["xycd"],
            [0, 0, 1, 0, 0],
        );
        // Count mismatch.
        check(
            l,
            &[
                ("", A, Some(1), None, 2, 1, "ab"),
                ("", A, Some(1), None, 3, 2, "cd"),
            ],
            &[],
            [0, 0, 0, 2, 0],
        );
        // Bounded: one open group at most, age 2.
        let tight = AssemblerLimits {
            max_open: 1,
            max_age: 2,
        };
        check(
            tight,
            &[
                ("", A, Some(1), None, 2, 1, "ab"),
                ("", A, Some(2), None, 2, 1, "cd"),
                ("", A, Some(2), None, 2, 2, "ef"),
            ],
            &["cdef"],
            [0, 1, 0, 0, 0],
        );
        check(
            tight,
            &[
                ("", A, Some(1), None, 2, 1, "ab"),
                ("", A, None, None, 1, 1, "x"),
                ("", A, None, None, 1, 1, "y"),
                ("", A, None, None, 1, 1, "z"),
                ("", A, Some(1), None, 2, 2, "cd"),
            ],
            &["x", "y", "z"],
            [1, 0, 0, 1, 0],
        );
    }
}
