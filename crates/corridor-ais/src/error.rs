//! Error and counter reasons. Every rejected sentence and every dropped
//! fragment has exactly one reason, so the stream statistics add up.

use thiserror::Error;

/// Why a sentence (or its tag block) was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum Reject {
    /// The sentence checksum does not match.
    #[error("bad sentence checksum")]
    BadChecksum,
    /// No `*hh` checksum where one is required.
    #[error("missing checksum")]
    MissingChecksum,
    /// Wrong number of fields or an unparsable fragment count/number/fill.
    #[error("malformed sentence")]
    Malformed,
    /// Fragment number 0, above the count, or a count above 9.
    #[error("bad fragment numbering")]
    BadFragment,
    /// A payload character outside the six-bit armor alphabet.
    #[error("invalid payload character")]
    BadArmor,
    /// A payload with no bits at all.
    #[error("empty payload")]
    EmptyPayload,
    /// The tag block checksum does not match.
    #[error("bad tag block checksum")]
    TagBlockChecksum,
    /// The tag block is unterminated or has no checksum.
    #[error("malformed tag block")]
    TagBlockMalformed,
    /// A Gatehouse `$PGHP,1` time with a field missing, not a number or out
    /// of range (month 13, hour 99, 31 April).
    #[error("bad Gatehouse $PGHP time")]
    BadGatehouseTime,
}

impl Reject {
    /// All reasons, in counter order.
    pub const ALL: [Reject; 9] = [
        Reject::BadChecksum,
        Reject::MissingChecksum,
        Reject::Malformed,
        Reject::BadFragment,
        Reject::BadArmor,
        Reject::EmptyPayload,
        Reject::TagBlockChecksum,
        Reject::TagBlockMalformed,
        Reject::BadGatehouseTime,
    ];

    /// Stable index into counter arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Short snake-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Reject::BadChecksum => "bad_checksum",
            Reject::MissingChecksum => "missing_checksum",
            Reject::Malformed => "malformed",
            Reject::BadFragment => "bad_fragment",
            Reject::BadArmor => "bad_armor",
            Reject::EmptyPayload => "empty_payload",
            Reject::TagBlockChecksum => "tagblock_checksum",
            Reject::TagBlockMalformed => "tagblock_malformed",
            Reject::BadGatehouseTime => "gatehouse_time",
        }
    }
}

/// Why fragments of a multi-part message were dropped by the assembler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum Drop {
    /// The group did not complete within the age limit.
    #[error("group aged out")]
    AgedOut,
    /// The open-group limit was reached and this (oldest) group was evicted.
    #[error("group evicted (too many open groups)")]
    Evicted,
    /// A fragment arrived a second time; the earlier group was restarted.
    #[error("duplicate fragment")]
    Duplicate,
    /// A fragment disagrees with its group (count or channel), or arrived
    /// without its first part.
    #[error("inconsistent fragment")]
    Inconsistent,
    /// Still open when the input ended.
    #[error("incomplete at end of input")]
    Unfinished,
}

impl Drop {
    /// All reasons, in counter order.
    pub const ALL: [Drop; 5] = [
        Drop::AgedOut,
        Drop::Evicted,
        Drop::Duplicate,
        Drop::Inconsistent,
        Drop::Unfinished,
    ];

    /// Stable index into counter arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Short snake-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Drop::AgedOut => "aged_out",
            Drop::Evicted => "evicted",
            Drop::Duplicate => "duplicate",
            Drop::Inconsistent => "inconsistent",
            Drop::Unfinished => "unfinished",
        }
    }
}

/// What a decoder refused: a sentence (rejected) or a fragment (dropped).
/// Displayed as its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
pub enum Refusal {
    /// A rejected sentence.
    #[error(transparent)]
    Rejected(#[from] Reject),
    /// A dropped fragment of a multi-sentence message.
    #[error(transparent)]
    Dropped(#[from] Drop),
}

/// Errors of the encoder.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EncodeError {
    /// The message needs more sentences than NMEA allows (9).
    #[error("message of {0} bits needs more than 9 sentences")]
    TooLong(usize),
    /// A sequential id above 9.
    #[error("sequential id {0} out of range 0-9")]
    BadSeqId(u8),
}
