//! Six-bit ASCII armor and bit-level access.
//!
//! The reader works directly on the armored payload characters (no
//! de-armoring into a scratch buffer): a field of `n` bits at bit `p` covers
//! characters `p/6 ..= (p+n-1)/6`, which are folded into a `u64`. This keeps a
//! single-sentence decode free of any copy or allocation.
//!
//! Reading past the end of the payload never fails: missing bits read as zero
//! (like gpsd) and the reader records the overrun so the message can be
//! flagged partial.

/// Is `c` a legal payload armor character (`0`..=`W` or `` ` ``..=`w`)?
#[inline]
pub fn is_armor(c: u8) -> bool {
    matches!(c, b'0'..=b'W' | b'`'..=b'w')
}

/// Are all bytes armor characters? Branch-free so that it vectorizes (this
/// runs over every payload).
#[inline]
pub fn all_armor(p: &[u8]) -> bool {
    let mut bad = 0u8;
    for &c in p {
        bad |= u8::from(!((c.wrapping_sub(b'0') < 40) | (c.wrapping_sub(b'`') < 24)));
    }
    bad == 0
}

/// Six-bit value of a (valid) armor character.
#[inline]
pub const fn unarmor(c: u8) -> u8 {
    let v = c.wrapping_sub(48);
    (if v > 40 { v - 8 } else { v }) & 0x3f
}

/// Armor character for a six-bit value.
#[inline]
pub fn armor(v: u8) -> u8 {
    let v = v & 0x3f;
    if v < 40 { v + 48 } else { v + 56 }
}

/// Six-bit text value to ASCII (`@A..Z[\]^_ !"#..?`).
#[inline]
pub fn sixbit_to_ascii(v: u8) -> u8 {
    let v = v & 0x3f;
    if v < 32 { v + 64 } else { v }
}

/// ASCII to six-bit text value; lower case is folded, anything else becomes `?`
/// (code 63) which is how transmitters show an unrepresentable character.
#[inline]
pub fn ascii_to_sixbit(c: u8) -> u8 {
    let c = c.to_ascii_uppercase();
    match c {
        64..=95 => c - 64,
        32..=63 => c,
        _ => 63,
    }
}

/// Words kept on the stack: 12 words of 60 bits (10 characters each), 120
/// characters in all: any single sentence and a two-sentence type 5; longer
/// payloads (multi-sentence binary data) use the heap.
const INLINE_WORDS: usize = 12;

/// Six-bit value of every byte (invalid bytes map to garbage, never panic).
const UNARMOR: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = unarmor(i as u8);
        i += 1;
    }
    t
};

#[derive(Debug, Clone)]
enum Words {
    Inline([u64; INLINE_WORDS]),
    Heap(Vec<u64>),
}

/// Bit reader over an armored payload.
///
/// The characters are de-armored once, ten at a time, into 60-bit words held
/// on the stack, so a field read is a couple of shifts. Bits past the
/// significant length read as zero.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    words: Words,
    chars: usize,
    len: usize,
    pos: usize,
    overrun: bool,
    _armor: std::marker::PhantomData<&'a [u8]>,
}

impl<'a> BitReader<'a> {
    /// `armor` should contain only characters for which [`is_armor`] holds
    /// (other bytes decode to garbage but never panic); `len` is the number of
    /// significant bits (characters × 6 − fill bits), clamped to the payload.
    pub fn new(armor: &'a [u8], len: usize) -> Self {
        let nwords = armor.len().div_ceil(10) + 1;
        let mut words = if nwords <= INLINE_WORDS {
            Words::Inline([0; INLINE_WORDS])
        } else {
            Words::Heap(vec![0; nwords])
        };
        let slice: &mut [u64] = match &mut words {
            Words::Inline(a) => a,
            Words::Heap(v) => v,
        };
        // Whole groups of ten characters (unrolled by the compiler), then the tail.
        let mut groups = armor.chunks_exact(10);
        let mut slots = slice.iter_mut();
        for chunk in &mut groups {
            let w = chunk
                .iter()
                .fold(0u64, |w, &c| (w << 6) | u64::from(UNARMOR[usize::from(c)]));
            if let Some(slot) = slots.next() {
                *slot = w;
            }
        }
        let tail = groups.remainder();
        if !tail.is_empty() {
            let w = tail
                .iter()
                .fold(0u64, |w, &c| (w << 6) | u64::from(UNARMOR[usize::from(c)]));
            if let Some(slot) = slots.next() {
                *slot = w << (6 * (10 - tail.len()));
            }
        }
        let chars = armor.len();
        let len = len.min(chars * 6);
        BitReader {
            words,
            chars,
            len,
            pos: 0,
            overrun: false,
            _armor: std::marker::PhantomData,
        }
    }

    /// Total significant bits.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the payload holds no bit at all.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Current bit position.
    #[inline]
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bits left before the end.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.len.saturating_sub(self.pos)
    }

    /// Has any read gone past the end?
    #[inline]
    pub fn overrun(&self) -> bool {
        self.overrun
    }

    /// Treat the payload as `len` bits long (used to forgive wrong fill bits:
    /// never beyond the characters present).
    pub fn set_len(&mut self, len: usize) {
        self.len = len.min(self.chars * 6);
    }

    /// Skip `n` bits.
    pub fn skip(&mut self, n: usize) {
        self.pos += n;
        if self.pos > self.len {
            self.overrun = true;
        }
    }

    /// Read `n` (≤ 32) bits as unsigned; bits beyond the end read as 0.
    #[inline]
    pub fn u(&mut self, n: u32) -> u32 {
        let n = n.min(32);
        let start = self.pos;
        let end = start + n as usize;
        self.pos = end;
        if n == 0 {
            return 0;
        }
        if end > self.len {
            self.overrun = true;
            if start >= self.len {
                return 0;
            }
            let avail = (self.len - start) as u32;
            let v = self.fetch(start, avail);
            return ((v as u64) << (n - avail)) as u32;
        }
        self.fetch(start, n)
    }

    /// The `n` (1..=32) bits at `start`, all within the characters.
    #[inline]
    fn fetch(&self, start: usize, n: u32) -> u32 {
        let words: &[u64] = match &self.words {
            Words::Inline(a) => a,
            Words::Heap(v) => v,
        };
        let w = start / 60;
        let off = (start % 60) as u32;
        // Each word holds 60 bits in its low end; `<< 4` puts them on top.
        let a = words.get(w).copied().unwrap_or(0) << 4;
        if off + n <= 60 {
            return ((a << off) >> (64 - n)) as u32;
        }
        // The field straddles two words: k bits come from the next one.
        let k = off + n - 60;
        let hi = (a << off) >> (64 - (n - k));
        let lo = (words.get(w + 1).copied().unwrap_or(0) << 4) >> (64 - k);
        ((hi << k) | lo) as u32
    }

    /// Read `n` (≤ 32) bits as two's-complement signed.
    #[inline]
    pub fn i(&mut self, n: u32) -> i32 {
        let n = n.clamp(1, 32);
        let v = self.u(n);
        let shift = 32 - n;
        ((v << shift) as i32) >> shift
    }

    /// Read one bit as a flag.
    #[inline]
    pub fn b(&mut self) -> bool {
        self.u(1) != 0
    }

    /// Read `chars` six-bit text characters into `out` as ASCII.
    pub fn text_into(&mut self, chars: usize, out: &mut [u8]) -> usize {
        let mut k = 0;
        for _ in 0..chars {
            let c = sixbit_to_ascii(self.u(6) as u8);
            if let Some(slot) = out.get_mut(k) {
                *slot = c;
                k += 1;
            }
        }
        k
    }

    /// Copy the next `n` bits (clamped to what is there) into a [`Bits`].
    pub fn take_bits(&mut self, n: usize) -> Bits {
        let n = n.min(self.remaining());
        let mut out = Bits::with_capacity(n);
        let mut left = n;
        while left > 0 {
            let k = left.min(32) as u32;
            out.push(self.u(k), k);
            left -= k as usize;
        }
        out
    }

    /// All the bits left.
    pub fn rest(&mut self) -> Bits {
        self.take_bits(self.remaining())
    }
}

/// An owned, MSB-first bit string (binary application data, raw payloads).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Bits {
    bytes: Vec<u8>,
    len: usize,
}

impl std::fmt::Debug for Bits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bits({}:{})", self.len, self.to_hex())
    }
}

impl Bits {
    /// Empty bit string.
    pub fn new() -> Self {
        Bits::default()
    }

    /// Empty bit string with room for `bits` bits.
    pub fn with_capacity(bits: usize) -> Self {
        Bits {
            bytes: Vec::with_capacity(bits.div_ceil(8)),
            len: 0,
        }
    }

    /// Bits from bytes, keeping the first `len` bits (MSB first).
    pub fn from_bytes(bytes: &[u8], len: usize) -> Self {
        let len = len.min(bytes.len() * 8);
        let mut v = bytes.get(..len.div_ceil(8)).unwrap_or(&[]).to_vec();
        if !len.is_multiple_of(8)
            && let Some(last) = v.last_mut()
        {
            *last &= 0xffu8 << (8 - len % 8);
        }
        Bits { bytes: v, len }
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Packed bytes, MSB first, last byte zero-padded.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Bit `i` (false past the end).
    pub fn get(&self, i: usize) -> bool {
        i < self.len
            && self
                .bytes
                .get(i / 8)
                .is_some_and(|b| b & (0x80 >> (i % 8)) != 0)
    }

    /// Append the low `n` (≤ 32) bits of `v`, MSB first.
    pub fn push(&mut self, v: u32, n: u32) {
        let mut left = n.min(32);
        let v = u64::from(v) & ((1u64 << left) - 1);
        while left > 0 {
            let used = (self.len % 8) as u32;
            if used == 0 {
                self.bytes.push(0);
            }
            let free = 8 - used;
            let take = free.min(left);
            let chunk = (v >> (left - take)) & ((1u64 << take) - 1);
            if let Some(last) = self.bytes.last_mut() {
                *last |= (chunk << (free - take)) as u8;
            }
            self.len += take as usize;
            left -= take;
        }
    }

    /// Append all of `other`.
    pub fn extend(&mut self, other: &Bits) {
        let whole = other.len / 8;
        for &b in other.bytes.iter().take(whole) {
            self.push(u32::from(b), 8);
        }
        let rest = (other.len % 8) as u32;
        if rest > 0 {
            let b = other.bytes.get(whole).copied().unwrap_or(0);
            self.push(u32::from(b >> (8 - rest)), rest);
        }
    }

    /// Read `n` (≤ 32) bits at `pos` as unsigned (zeros past the end).
    pub fn u(&self, pos: usize, n: u32) -> u32 {
        let n = n.min(32);
        if n == 0 {
            return 0;
        }
        // Gather the 5 bytes covering the field (enough for 32 bits at any offset).
        let first = pos / 8;
        let mut acc: u64 = 0;
        for k in 0..5 {
            acc = (acc << 8) | u64::from(self.bytes.get(first + k).copied().unwrap_or(0));
        }
        let off = (pos % 8) as u32;
        let v = ((acc << (24 + off)) >> (64 - n)) as u32;
        // Bits past `len` read as zero even if the last byte has padding set.
        if pos + n as usize > self.len {
            let valid = self.len.saturating_sub(pos) as u32;
            if valid == 0 {
                return 0;
            }
            return (v >> (n - valid)) << (n - valid);
        }
        v
    }

    /// Lower-case hex of the packed bytes (gpsd's `data` field body).
    pub fn to_hex(&self) -> String {
        use std::fmt::Write;
        let mut s = String::with_capacity(self.bytes.len() * 2);
        for b in &self.bytes {
            let _ = write!(s, "{b:02x}");
        }
        s
    }

    /// Armored six-bit characters of these bits (zero-padded) and the fill count.
    pub fn to_armor(&self) -> (String, u8) {
        let chars = self.len.div_ceil(6);
        let mut s = String::with_capacity(chars);
        for c in 0..chars {
            s.push(armor(self.u(c * 6, 6) as u8) as char);
        }
        (s, (chars * 6 - self.len) as u8)
    }

    /// A reader over these bits (re-armors once; for tests and nested decoding).
    pub fn armored(&self) -> (Vec<u8>, usize) {
        let (s, _) = self.to_armor();
        (s.into_bytes(), self.len)
    }
}

/// Bit writer producing an MSB-first bit string.
#[derive(Debug, Default, Clone)]
pub struct BitWriter {
    bits: Bits,
}

impl BitWriter {
    /// Empty writer.
    pub fn new() -> Self {
        BitWriter {
            bits: Bits::with_capacity(168),
        }
    }

    /// Write the low `n` bits of `v` (≤ 32).
    #[inline]
    pub fn u(&mut self, n: u32, v: u32) {
        self.bits.push(v, n);
    }

    /// Write a signed value in `n` bits, two's complement.
    #[inline]
    pub fn i(&mut self, n: u32, v: i32) {
        self.bits.push(v as u32, n);
    }

    /// Write a flag.
    #[inline]
    pub fn b(&mut self, v: bool) {
        self.bits.push(u32::from(v), 1);
    }

    /// Write `chars` characters of six-bit text, padding with `@`.
    pub fn text(&mut self, chars: usize, s: &[u8]) {
        for k in 0..chars {
            let c = s.get(k).map_or(0, |&c| ascii_to_sixbit(c));
            self.bits.push(u32::from(c), 6);
        }
    }

    /// Append raw bits.
    pub fn bits(&mut self, b: &Bits) {
        self.bits.extend(b);
    }

    /// Bits written so far.
    pub fn len(&self) -> usize {
        self.bits.len()
    }

    /// Nothing written.
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// The bit string.
    pub fn finish(self) -> Bits {
        self.bits
    }
}

/// Fixed-capacity six-bit text as received (all characters, `@` included),
/// so that a decoded message re-encodes bit for bit without heap allocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AisText<const N: usize> {
    buf: [u8; N],
    len: u8,
}

impl<const N: usize> Default for AisText<N> {
    fn default() -> Self {
        AisText {
            buf: [b'@'; N],
            len: 0,
        }
    }
}

impl<const N: usize> std::fmt::Debug for AisText<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.raw())
    }
}

impl<const N: usize> std::fmt::Display for AisText<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> AisText<N> {
    /// Read `chars` (≤ N) characters.
    pub fn read(r: &mut BitReader<'_>, chars: usize) -> Self {
        let mut t = AisText::default();
        let n = r.text_into(chars.min(N), &mut t.buf);
        t.len = n as u8;
        t
    }

    /// Text from a string (upper-cased, unrepresentable characters become `?`,
    /// truncated to N characters).
    pub fn new(s: &str) -> Self {
        let mut t = AisText::default();
        for (slot, c) in t.buf.iter_mut().zip(s.bytes()) {
            *slot = sixbit_to_ascii(ascii_to_sixbit(c));
            t.len += 1;
        }
        t
    }

    /// Every character received, `@` padding included.
    pub fn raw(&self) -> &str {
        std::str::from_utf8(self.buf.get(..self.len as usize).unwrap_or(&[])).unwrap_or("")
    }

    /// The text as shown to people: up to the first `@`, trailing spaces removed.
    pub fn as_str(&self) -> &str {
        let raw = self.raw();
        let end = raw.find('@').unwrap_or(raw.len());
        raw.get(..end).unwrap_or("").trim_end_matches(' ')
    }

    /// Number of characters held.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// No characters held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Write exactly `chars` characters (padding with `@`).
    pub fn write(&self, w: &mut BitWriter, chars: usize) {
        w.text(chars, self.raw().as_bytes());
    }
}

/// Variable-length six-bit text (types 12, 14, AtoN name extension).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct LongText(pub String);

impl std::fmt::Debug for LongText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl LongText {
    /// Read `chars` characters.
    pub fn read(r: &mut BitReader<'_>, chars: usize) -> Self {
        let mut s = String::with_capacity(chars);
        for _ in 0..chars {
            s.push(sixbit_to_ascii(r.u(6) as u8) as char);
        }
        LongText(s)
    }

    /// As shown to people: up to the first `@`, trailing spaces trimmed.
    pub fn as_str(&self) -> &str {
        let end = self.0.find('@').unwrap_or(self.0.len());
        self.0.get(..end).unwrap_or("").trim_end_matches(' ')
    }

    /// Write every character.
    pub fn write(&self, w: &mut BitWriter) {
        w.text(self.0.len(), self.0.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armor_round_trip() {
        for v in 0..64u8 {
            assert!(is_armor(armor(v)));
            assert_eq!(unarmor(armor(v)), v);
        }
    }

    #[test]
    fn reader_fields_and_overrun() {
        // "15" = 000001 000101
        let mut r = BitReader::new(b"15", 12);
        assert_eq!(r.u(6), 1);
        assert_eq!(r.u(2), 0);
        assert!(!r.overrun());
        assert_eq!(r.u(8), 0b0101_0000);
        assert!(r.overrun());
        let mut r = BitReader::new(b"w", 6);
        assert_eq!(r.i(6), -1);
    }

    #[test]
    fn bits_armor() {
        let mut b = Bits::new();
        b.push(0b000001, 6);
        b.push(0b11, 2);
        let (s, fill) = b.to_armor();
        assert_eq!((s.as_str(), fill), ("1h", 4));
    }
}
