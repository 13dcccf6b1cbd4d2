//! Six-bit ASCII armor and bit-level access.
//!
//! The reader de-armors the payload once, eight characters at a time (SWAR:
//! one word of arithmetic per eight characters), into a big-endian bit
//! string on the stack; a field of `n` bits at bit `p` is then one 8-byte
//! load at byte `p / 8` and two shifts. Fixed layouts whose bits are all
//! present are read at constant offsets. This keeps a single-sentence decode
//! free of any allocation.
//!
//! Reading past the end of the payload never fails: missing bits read as zero
//! (like gpsd) and the reader records the overrun so the message can be
//! flagged partial.

/// Is `c` a legal payload armor character (`0`..=`W` or `` ` ``..=`w`)?
#[inline]
pub fn is_armor(c: u8) -> bool {
    matches!(c, b'0'..=b'W' | b'`'..=b'w')
}

/// Are all bytes armor characters? Eight at a time (this runs over every
/// payload).
#[inline]
pub fn all_armor(p: &[u8]) -> bool {
    armor_run(p, 0) == p.len()
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

/// Characters de-armored into the reader's inline buffer: any single
/// sentence and a two-sentence type 5; longer payloads (multi-sentence
/// binary data) use the heap.
const INLINE_CHARS: usize = 128;
/// 6 bits per character, plus 8 bytes so that an 8-byte load at any bit
/// inside the payload stays in the buffer.
pub(crate) const INLINE_BYTES: usize = INLINE_CHARS * 6 / 8 + 8;

const LANES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Per byte of `x`, 0x80 where the byte is not an armor character, else 0.
#[inline(always)]
fn non_armor_lanes(x: u64) -> u64 {
    // For a byte c < 0x80, ((c | 0x80) - k) has its top bit set iff c >= k:
    // no lane borrows from its neighbour.
    let y = x | HIGH;
    let ge30 = y.wrapping_sub(0x30 * LANES) & HIGH;
    let ge58 = y.wrapping_sub(0x58 * LANES) & HIGH;
    let ge60 = y.wrapping_sub(0x60 * LANES) & HIGH;
    let ge78 = y.wrapping_sub(0x78 * LANES) & HIGH;
    let ok = ((ge30 & !ge58) | (ge60 & !ge78)) & !x;
    !ok & HIGH
}

/// Index of the first byte of `b` at or after `from` that is not an armor
/// character (`b.len()` when there is none). Eight bytes at a time.
#[inline]
pub(crate) fn armor_run(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut a = [0u8; 8];
        a.copy_from_slice(chunk);
        let bad = non_armor_lanes(u64::from_le_bytes(a));
        if bad != 0 {
            return i + (bad.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    // Tail: pad with NUL (not armor).
    let tail = b.get(i..).unwrap_or(&[]);
    let mut a = [0u8; 8];
    for (d, s) in a.iter_mut().zip(tail) {
        *d = *s;
    }
    let bad = non_armor_lanes(u64::from_le_bytes(a));
    i + (bad.trailing_zeros() / 8) as usize
}

/// Index of the first `byte` in `b` at or after `from`, eight bytes at a
/// time; `None` when there is none.
#[inline]
pub(crate) fn find_byte(b: &[u8], from: usize, byte: u8) -> Option<usize> {
    let pat = u64::from(byte) * LANES;
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut a = [0u8; 8];
        a.copy_from_slice(chunk);
        let v = u64::from_le_bytes(a) ^ pat;
        // Exact for the lowest matching lane (borrows only run upwards).
        let hit = v.wrapping_sub(LANES) & !v & HIGH;
        if hit != 0 {
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    // Tail: pad with a byte that is not the one sought.
    let tail = b.get(i..).unwrap_or(&[]);
    let mut a = [!byte; 8];
    for (d, s) in a.iter_mut().zip(tail) {
        *d = *s;
    }
    let v = u64::from_le_bytes(a) ^ pat;
    let hit = v.wrapping_sub(LANES) & !v & HIGH;
    (hit != 0).then(|| i + (hit.trailing_zeros() / 8) as usize)
}

/// The eight bytes at `i` as a little-endian word, when they are all there.
#[inline(always)]
pub(crate) fn load8(b: &[u8], i: usize) -> Option<u64> {
    let c = b.get(i..i + 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(c);
    Some(u64::from_le_bytes(a))
}

/// Lanes (0x80) of `w` equal to `byte`; exact for the lowest one.
#[inline(always)]
pub(crate) fn lanes_eq(w: u64, byte: u8) -> u64 {
    let v = w ^ (u64::from(byte) * LANES);
    v.wrapping_sub(LANES) & !v & HIGH
}

/// Index of the first `byte` in `b[from..to]`, or `to`; reads whole words
/// of `b` (which may run past `to`) where it can.
#[inline]
pub(crate) fn find_byte_until(b: &[u8], from: usize, to: usize, byte: u8) -> usize {
    let mut i = from;
    while i < to {
        let Some(w) = load8(b, i) else {
            let tail = b.get(i..to).unwrap_or(&[]);
            return tail.iter().position(|&c| c == byte).map_or(to, |k| i + k);
        };
        let hit = lanes_eq(w, byte);
        if hit != 0 {
            return (i + (hit.trailing_zeros() / 8) as usize).min(to);
        }
        i += 8;
    }
    to
}

/// Eight ASCII digits (first in the low byte) as a number; `None` unless
/// all eight are digits.
#[inline]
pub(crate) fn digits8(x: u64) -> Option<u64> {
    let y = x | HIGH;
    let ge30 = y.wrapping_sub(0x30 * LANES) & HIGH;
    let ge3a = y.wrapping_sub(0x3a * LANES) & HIGH;
    if ge30 & !ge3a & !x & HIGH != HIGH {
        return None;
    }
    let v = x.wrapping_sub(0x30 * LANES);
    // Pairs, then quads, then the two halves (Lemire's method).
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let lo = (v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32));
    let hi = ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32));
    Some(lo.wrapping_add(hi) >> 32)
}

/// Eight armor characters (first in the top byte) → their 48 bits, low end.
#[inline(always)]
fn unarmor8(x: u64) -> u64 {
    // c - 48, then - 8 more where that is above 40 (valid characters never borrow).
    let v = x.wrapping_sub(0x30 * LANES);
    let gt40 = ((v & !HIGH) | HIGH).wrapping_sub(0x29 * LANES) & HIGH;
    let v = v.wrapping_sub(gt40 >> 4);
    // Pack 8 six-bit values: pairs, quads, then the two halves.
    let v = ((v & 0x3F00_3F00_3F00_3F00) >> 2) | (v & 0x003F_003F_003F_003F);
    let v = ((v & 0x0FFF_0000_0FFF_0000) >> 4) | (v & 0x0000_0FFF_0000_0FFF);
    ((v & 0x00FF_FFFF_0000_0000) >> 8) | (v & 0x0000_0000_00FF_FFFF)
}

/// De-armor `armor` into `out` as a big-endian bit string (6 bytes per 8
/// characters). `out` must hold `armor.len().div_ceil(8) * 6 + 2` bytes.
#[inline]
fn unarmor_into(armor: &[u8], out: &mut [u8]) {
    let mut groups = armor.chunks_exact(8);
    let mut o = 0;
    for chunk in &mut groups {
        let mut a = [0u8; 8];
        a.copy_from_slice(chunk);
        let bits = unarmor8(u64::from_be_bytes(a));
        if let Some(d) = out.get_mut(o..o + 8) {
            d.copy_from_slice(&(bits << 16).to_be_bytes());
        }
        o += 6;
    }
    let tail = groups.remainder();
    if !tail.is_empty() {
        // Pad with '0' (value 0).
        let mut a = [b'0'; 8];
        for (d, s) in a.iter_mut().zip(tail) {
            *d = *s;
        }
        let bits = unarmor8(u64::from_be_bytes(a));
        if let Some(d) = out.get_mut(o..o + 8) {
            d.copy_from_slice(&(bits << 16).to_be_bytes());
        }
    }
}

/// The `n` (1..=32) bits at bit `start` of a big-endian bit string; the
/// eight bytes from `start / 8` must be in `buf` (zero otherwise).
#[inline(always)]
pub(crate) fn bits_at(buf: &[u8], start: usize, n: u32) -> u32 {
    let i = start / 8;
    let w = match buf.get(i..i + 8) {
        Some(c) => {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            u64::from_be_bytes(a)
        }
        None => 0,
    };
    ((w << (start % 8)) >> (64 - n)) as u32
}

/// Bit reader over an armored payload.
///
/// The characters are de-armored once, eight at a time (SWAR), into a
/// big-endian bit string held on the stack, so a field read is one load
/// and two shifts. Bits past the significant length read as zero.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    inline: [u8; INLINE_BYTES],
    heap: Vec<u8>,
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
    #[inline]
    pub fn new(armor: &'a [u8], len: usize) -> Self {
        let mut inline = [0u8; INLINE_BYTES];
        let mut heap = Vec::new();
        if armor.len() <= INLINE_CHARS {
            unarmor_into(armor, &mut inline);
        } else {
            heap = vec![0u8; armor.len().div_ceil(8) * 6 + 8];
            unarmor_into(armor, &mut heap);
        }
        let chars = armor.len();
        let len = len.min(chars * 6);
        BitReader {
            inline,
            heap,
            chars,
            len,
            pos: 0,
            overrun: false,
            _armor: std::marker::PhantomData,
        }
    }

    /// The de-armored bits (big-endian), with 8 bytes of slack at the end.
    #[inline(always)]
    pub(crate) fn buf(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.inline
        } else {
            &self.heap
        }
    }

    /// The inline buffer when the payload fits in it (fixed-layout fast path).
    #[inline(always)]
    pub(crate) fn inline_buf(&self) -> Option<&[u8; INLINE_BYTES]> {
        self.heap.is_empty().then_some(&self.inline)
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

    /// Move to bit `pos` after a fast-path read that stayed within `len`.
    #[inline(always)]
    pub(crate) fn advance_to(&mut self, pos: usize) {
        self.pos = pos;
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
    #[inline(always)]
    fn fetch(&self, start: usize, n: u32) -> u32 {
        bits_at(self.buf(), start, n)
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
    #[inline]
    pub fn rest(&mut self) -> Bits {
        if self.remaining() == 0 {
            return Bits::new();
        }
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

    /// Read `chars` (≤ N) characters at bit `off` of a de-armored buffer
    /// (fast path: the caller checked that they are all there).
    #[inline]
    pub(crate) fn read_at(buf: &[u8], off: usize, chars: usize) -> Self {
        let mut t = AisText::default();
        let n = chars.min(N);
        for (k, slot) in t.buf.iter_mut().take(n).enumerate() {
            *slot = sixbit_to_ascii(bits_at(buf, off + 6 * k, 6) as u8);
        }
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
    fn swar_helpers() {
        for (k, s) in [
            "12345678", "00000000", "99999999", "1234567a", "/2345678", ":2345678",
        ]
        .iter()
        .enumerate()
        {
            let mut a = [0u8; 8];
            a.copy_from_slice(s.as_bytes());
            let want = if k < 3 { s.parse().ok() } else { None };
            assert_eq!(digits8(u64::from_le_bytes(a)), want, "{s}");
        }
        let hay = b"abc,def,ghijklmnop,qrstuvwxyz,";
        for from in 0..hay.len() + 2 {
            let want = hay
                .get(from..)
                .and_then(|t| t.iter().position(|&c| c == b','))
                .map(|k| from + k);
            assert_eq!(find_byte(hay, from, b','), want, "{from}");
        }
        let all: Vec<u8> = (0..=255u8).collect();
        for from in 0..all.len() {
            let want = all[from..]
                .iter()
                .position(|&c| !is_armor(c))
                .map_or(all.len(), |k| from + k);
            assert_eq!(armor_run(&all, from), want, "{from}");
        }
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
