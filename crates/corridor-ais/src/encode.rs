//! Encoder: message → payload bits → `!AIVDM` sentences (multi-sentence and
//! optional NMEA 4.10 tag blocks included).

use crate::bits::Bits;
use crate::error::EncodeError;
use crate::messages::Message;
use crate::tagblock::{format_tag_block, xor};

/// Tag block fields to prefix each sentence with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagBlockSpec {
    /// `s:` source.
    pub source: Option<String>,
    /// `c:` time (written as given: seconds or milliseconds).
    pub time: Option<i64>,
    /// Group id: when set, multi-sentence messages get `g:k-n-id`.
    pub group_id: Option<u32>,
}

/// How to frame the sentences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Talker id.
    pub talker: [u8; 2],
    /// Write `VDO` instead of `VDM`.
    pub own_ship: bool,
    /// Channel byte (`A`/`B`), `None` for empty.
    pub channel: Option<u8>,
    /// Sequential id for multi-sentence messages (0-9); `None` leaves it empty.
    pub seq_id: Option<u8>,
    /// Payload characters per sentence (at most; 1-60 sensible).
    pub max_chars: usize,
    /// Optional tag block.
    pub tag_block: Option<TagBlockSpec>,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            talker: *b"AI",
            own_ship: false,
            channel: Some(b'A'),
            seq_id: Some(0),
            max_chars: 60,
            tag_block: None,
        }
    }
}

/// Encode `msg` as one or more sentences (without line endings).
pub fn encode(msg: &Message, opts: &EncodeOptions) -> Result<Vec<String>, EncodeError> {
    encode_bits(&msg.to_bits(), opts)
}

/// Frame a payload bit string as sentences.
pub fn encode_bits(bits: &Bits, opts: &EncodeOptions) -> Result<Vec<String>, EncodeError> {
    let (armor, fill) = bits.to_armor();
    let per = opts.max_chars.max(1);
    let chunks: Vec<&str> = if armor.is_empty() {
        vec![""]
    } else {
        armor
            .as_bytes()
            .chunks(per)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect()
    };
    let total = chunks.len();
    if total > 9 {
        return Err(EncodeError::TooLong(bits.len()));
    }
    if let Some(s) = opts.seq_id.filter(|s| *s > 9) {
        return Err(EncodeError::BadSeqId(s));
    }
    let talker = std::str::from_utf8(&opts.talker).unwrap_or("AI");
    let kind = if opts.own_ship { "VDO" } else { "VDM" };
    let chan = opts
        .channel
        .map(|c| (c as char).to_string())
        .unwrap_or_default();
    let seq = if total > 1 {
        opts.seq_id.map(|s| s.to_string()).unwrap_or_default()
    } else {
        String::new()
    };
    let mut out = Vec::with_capacity(total);
    for (i, chunk) in chunks.iter().enumerate() {
        let f = if i + 1 == total { fill } else { 0 };
        let body = format!("{talker}{kind},{total},{},{seq},{chan},{chunk},{f}", i + 1);
        let mut line = String::with_capacity(body.len() + 40);
        if let Some(tb) = &opts.tag_block {
            let mut parts: Vec<String> = Vec::new();
            if total > 1
                && let Some(g) = tb.group_id
            {
                parts.push(format!("g:{}-{total}-{g}", i + 1));
            }
            if let Some(s) = &tb.source {
                parts.push(format!("s:{s}"));
            }
            if let Some(c) = tb.time {
                parts.push(format!("c:{c}"));
            }
            if !parts.is_empty() {
                line.push_str(&format_tag_block(&parts.join(",")));
            }
        }
        line.push('!');
        line.push_str(&body);
        line.push_str(&format!("*{:02X}", xor(body.as_bytes())));
        out.push(line);
    }
    Ok(out)
}
