//! The 27 AIS message types of ITU-R M.1371-5 as typed structs.
//!
//! Decoding never fails: a payload shorter than its type's layout decodes
//! as far as the bits go (missing bits read as zero) and is flagged
//! [`Message::partial`]; bits beyond the layout are kept in
//! [`Message::extra`] so the message re-encodes bit for bit. Which fields
//! a short fixed layout holds whole is [`Body::field_ends`]' to say (the
//! gpsd JSON leaves the others out).
//! Scaled quantities are newtypes over the raw value (see [`fields`]).

/// Declare a fixed-layout struct: fields in transmission order with their
/// bit widths; generates the struct, `read` and `write`.
macro_rules! ais_struct {
    ($(#[$sm:meta])* $name:ident { $( $(#[$fm:meta])* $f:ident : $t:ty = $n:expr ),* $(,)? }) => {
        $(#[$sm])*
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct $name { $( $(#[$fm])* pub $f: $t, )* }
        impl $name {
            /// Bits in this layout.
            pub const BITS: usize = 0 $(+ $n)*;
            #[inline]
            pub(crate) fn read(r: &mut $crate::bits::BitReader<'_>) -> Self {
                let start = r.pos();
                if start + Self::BITS <= r.len() {
                    if let Some(buf) = r.inline_buf() {
                        let v = Self::read_at(buf, start);
                        r.advance_to(start + Self::BITS);
                        return v;
                    }
                }
                // Struct literal fields are evaluated in order: the reads are sequential.
                $name { $( $f: <$t as $crate::messages::fields::Field>::get(r, $n), )* }
            }
            /// Read the whole layout at bit `base` of a de-armored buffer
            /// (the caller checked that every bit is within the payload).
            #[inline(always)]
            #[allow(unused_assignments)]
            pub(crate) fn read_at(buf: &[u8], base: usize) -> Self {
                let mut off = base;
                $name { $( $f: {
                    let v = <$t as $crate::messages::fields::Field>::get_at(buf, off, $n);
                    off += $n;
                    v
                }, )* }
            }
            pub(crate) fn write(&self, w: &mut $crate::bits::BitWriter) {
                $( $crate::messages::fields::Field::put(&self.$f, w, $n); )*
            }
            /// Where field `name` ends, in bits from the layout's start
            /// (`None` for a name it has not): whether a payload cut short
            /// holds it whole.
            #[allow(unused_assignments)]
            pub fn field_end(name: &str) -> Option<usize> {
                let mut end = 0;
                $(
                    end += $n;
                    if name == stringify!($f) {
                        return Some(end);
                    }
                )*
                None
            }
        }
    };
}

pub mod binary;
pub mod dacfi;
pub mod fields;
pub mod link;
pub mod position;
pub mod static_data;

use crate::bits::{BitReader, BitWriter, Bits};
pub use binary::{AddressedBinary, BinaryBroadcast, DgnssBroadcast, SlotBinary};
pub use fields::{
    Course, Heading, Lat, LatTenth, Lon, LonTenth, NavStatus, RateOfTurn, ShipType, Speed,
};
pub use link::{
    Acknowledge, AddressedSafety, AssignedMode, ChannelManagement, DataLinkManagement,
    GroupAssignment, Interrogation, SafetyBroadcast, UtcInquiry,
};
pub use position::{
    BaseStationReport, ClassBExtendedReport, ClassBPositionReport, LongRangeReport, PositionReport,
    SarAircraftReport,
};
pub use static_data::{AidToNavigationReport, StaticDataReport, StaticVoyageData, Type24Merger};

/// The type-specific part of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Types 1, 2, 3.
    Position(PositionReport),
    /// Types 4 and 11.
    BaseStation(BaseStationReport),
    /// Type 5.
    StaticVoyage(StaticVoyageData),
    /// Type 6.
    AddressedBinary(AddressedBinary),
    /// Types 7 and 13.
    Acknowledge(Acknowledge),
    /// Type 8.
    BinaryBroadcast(BinaryBroadcast),
    /// Type 9.
    SarAircraft(SarAircraftReport),
    /// Type 10.
    UtcInquiry(UtcInquiry),
    /// Type 12.
    AddressedSafety(AddressedSafety),
    /// Type 14.
    SafetyBroadcast(SafetyBroadcast),
    /// Type 15.
    Interrogation(Interrogation),
    /// Type 16.
    AssignedMode(AssignedMode),
    /// Type 17.
    Dgnss(DgnssBroadcast),
    /// Type 18.
    ClassB(ClassBPositionReport),
    /// Type 19.
    ClassBExtended(ClassBExtendedReport),
    /// Type 20.
    DataLink(DataLinkManagement),
    /// Type 21.
    AidToNavigation(AidToNavigationReport),
    /// Type 22.
    ChannelManagement(ChannelManagement),
    /// Type 23.
    GroupAssignment(GroupAssignment),
    /// Type 24.
    StaticData(StaticDataReport),
    /// Types 25 and 26.
    SlotBinary(SlotBinary),
    /// Type 27.
    LongRange(LongRangeReport),
    /// Type 0 or 28-63: not defined; all bits after the header are kept in `extra`.
    Unknown,
}

/// A decoded AIS message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Message type (1-27; others decode as [`Body::Unknown`]).
    pub msg_type: u8,
    /// Repeat indicator.
    pub repeat: u8,
    /// Source MMSI.
    pub mmsi: u32,
    /// Type-specific fields.
    pub body: Body,
    /// The payload length does not fit the type's layout: it ended early
    /// (fields past the end read as zero) or, for fixed layouts, ran long.
    pub partial: bool,
    /// Significant bits received.
    pub bit_len: usize,
    /// Bits after the layout (over-long payloads, trailing padding), kept
    /// so that the message re-encodes exactly. Empty for standard payloads.
    pub extra: Bits,
}

/// Standard length of fixed-layout types (used to forgive wrong fill bits).
fn fixed_len(msg_type: u8) -> Option<usize> {
    Some(match msg_type {
        1..=3 | 4 | 9 | 11 | 18 | 22 => 168,
        5 => 424,
        10 => 72,
        19 => 312,
        23 => 160,
        27 => 96,
        _ => return None,
    })
}

/// Decode an armored payload (already validated characters) with `fill` bits.
/// Never fails and never panics.
pub fn decode_payload(armor: &[u8], fill: u8) -> Message {
    let chars_bits = armor.len() * 6;
    let mut r = BitReader::new(armor, chars_bits.saturating_sub(usize::from(fill.min(5))));
    let msg_type = r.u(6) as u8;
    if let Some(n) = fixed_len(msg_type) {
        // Transmitters sometimes claim fill bits the layout needs.
        if r.len() < n && n <= chars_bits {
            r.set_len(n);
        }
    }
    let bit_len = r.len();
    let (repeat, mmsi) = match r.inline_buf() {
        Some(buf) if bit_len >= 38 => {
            let v = (
                crate::bits::bits_at(buf, 6, 2) as u8,
                crate::bits::bits_at(buf, 8, 30),
            );
            r.advance_to(38);
            v
        }
        _ => (r.u(2) as u8, r.u(30)),
    };
    let body = match msg_type {
        1..=3 => Body::Position(match r.inline_buf() {
            // The common case, at constant offsets.
            Some(buf) if bit_len >= 38 + PositionReport::BITS => {
                let v = PositionReport::read_at(buf, 38);
                r.advance_to(38 + PositionReport::BITS);
                v
            }
            _ => PositionReport::read(&mut r),
        }),
        4 | 11 => Body::BaseStation(BaseStationReport::read(&mut r)),
        5 => Body::StaticVoyage(StaticVoyageData::read(&mut r)),
        6 => Body::AddressedBinary(AddressedBinary::read(&mut r)),
        7 | 13 => Body::Acknowledge(Acknowledge::read(&mut r)),
        8 => Body::BinaryBroadcast(BinaryBroadcast::read(&mut r)),
        9 => Body::SarAircraft(SarAircraftReport::read(&mut r)),
        10 => Body::UtcInquiry(UtcInquiry::read(&mut r)),
        12 => Body::AddressedSafety(AddressedSafety::read(&mut r)),
        14 => Body::SafetyBroadcast(SafetyBroadcast::read(&mut r)),
        15 => Body::Interrogation(Interrogation::read(&mut r)),
        16 => Body::AssignedMode(AssignedMode::read(&mut r)),
        17 => Body::Dgnss(DgnssBroadcast::read(&mut r)),
        18 => Body::ClassB(match r.inline_buf() {
            Some(buf) if bit_len >= 38 + ClassBPositionReport::BITS => {
                let v = ClassBPositionReport::read_at(buf, 38);
                r.advance_to(38 + ClassBPositionReport::BITS);
                v
            }
            _ => ClassBPositionReport::read(&mut r),
        }),
        19 => Body::ClassBExtended(ClassBExtendedReport::read(&mut r)),
        20 => Body::DataLink(DataLinkManagement::read(&mut r)),
        21 => Body::AidToNavigation(AidToNavigationReport::read(&mut r)),
        22 => Body::ChannelManagement(ChannelManagement::read(&mut r)),
        23 => Body::GroupAssignment(GroupAssignment::read(&mut r)),
        24 => Body::StaticData(StaticDataReport::read(&mut r, mmsi)),
        25 => Body::SlotBinary(SlotBinary::read(&mut r, false)),
        26 => Body::SlotBinary(SlotBinary::read(&mut r, true)),
        27 => Body::LongRange(LongRangeReport::read(&mut r)),
        _ => Body::Unknown,
    };
    let extra = if r.overrun() { Bits::new() } else { r.rest() };
    // Short: decoded as far as the bits go. Long (fixed layouts only): the
    // surplus is in `extra`. Both are flagged.
    let overlong = (fixed_len(msg_type).is_some() || msg_type == 24) && !extra.is_empty();
    let partial = r.overrun() || overlong || type_too_short(msg_type, &body, bit_len);
    Message {
        msg_type,
        repeat,
        mmsi,
        body,
        partial,
        bit_len,
        extra,
    }
}

/// Where a fixed layout's field ends, by name (a struct's `field_end`).
pub type FieldEnds = fn(&str) -> Option<usize>;

impl Body {
    /// For a fixed layout, where each of its fields ends (see the structs'
    /// `field_end`), counted from the end of the 38-bit header; `None` for
    /// the variable layouts.
    pub fn field_ends(&self) -> Option<FieldEnds> {
        Some(match self {
            Body::Position(_) => PositionReport::field_end,
            Body::BaseStation(_) => BaseStationReport::field_end,
            Body::StaticVoyage(_) => StaticVoyageData::field_end,
            Body::SarAircraft(_) => SarAircraftReport::field_end,
            Body::UtcInquiry(_) => UtcInquiry::field_end,
            Body::ClassB(_) => ClassBPositionReport::field_end,
            Body::ClassBExtended(_) => ClassBExtendedReport::field_end,
            Body::AidToNavigation(_) => static_data::AidToNavigationFixed::field_end,
            Body::GroupAssignment(_) => GroupAssignment::field_end,
            Body::ChannelManagement(_) => ChannelManagement::field_end,
            Body::LongRange(_) => LongRangeReport::field_end,
            _ => return None,
        })
    }
}

/// Variable-length types that decoded without overrun can still be below
/// their minimum (a type 24 A without its spare is accepted as complete).
fn type_too_short(msg_type: u8, body: &Body, bits: usize) -> bool {
    match body {
        Body::StaticData(StaticDataReport::A { .. }) => bits < 160,
        Body::Unknown => bits < 38,
        Body::SlotBinary(s) if msg_type == 26 => s.radio.is_none() || bits < 60,
        _ => false,
    }
}

impl Message {
    /// A message of the canonical type for `body` (1, 4, 7, 25 for shared bodies).
    pub fn new(mmsi: u32, body: Body) -> Self {
        let msg_type = match &body {
            Body::Position(_) => 1,
            Body::BaseStation(_) => 4,
            Body::StaticVoyage(_) => 5,
            Body::AddressedBinary(_) => 6,
            Body::Acknowledge(_) => 7,
            Body::BinaryBroadcast(_) => 8,
            Body::SarAircraft(_) => 9,
            Body::UtcInquiry(_) => 10,
            Body::AddressedSafety(_) => 12,
            Body::SafetyBroadcast(_) => 14,
            Body::Interrogation(_) => 15,
            Body::AssignedMode(_) => 16,
            Body::Dgnss(_) => 17,
            Body::ClassB(_) => 18,
            Body::ClassBExtended(_) => 19,
            Body::DataLink(_) => 20,
            Body::AidToNavigation(_) => 21,
            Body::ChannelManagement(_) => 22,
            Body::GroupAssignment(_) => 23,
            Body::StaticData(_) => 24,
            Body::SlotBinary(s) => {
                if s.radio.is_some() {
                    26
                } else {
                    25
                }
            }
            Body::LongRange(_) => 27,
            Body::Unknown => 0,
        };
        Message {
            msg_type,
            repeat: 0,
            mmsi,
            body,
            partial: false,
            bit_len: 0,
            extra: Bits::new(),
        }
    }

    /// The payload bits of this message (header, body, then `extra`).
    pub fn to_bits(&self) -> Bits {
        let mut w = BitWriter::new();
        w.u(6, u32::from(self.msg_type));
        w.u(2, u32::from(self.repeat));
        w.u(30, self.mmsi);
        match &self.body {
            Body::Position(b) => b.write(&mut w),
            Body::BaseStation(b) => b.write(&mut w),
            Body::StaticVoyage(b) => b.write(&mut w),
            Body::AddressedBinary(b) => b.write(&mut w),
            Body::Acknowledge(b) => b.write(&mut w),
            Body::BinaryBroadcast(b) => b.write(&mut w),
            Body::SarAircraft(b) => b.write(&mut w),
            Body::UtcInquiry(b) => b.write(&mut w),
            Body::AddressedSafety(b) => b.write(&mut w),
            Body::SafetyBroadcast(b) => b.write(&mut w),
            Body::Interrogation(b) => b.write(&mut w),
            Body::AssignedMode(b) => b.write(&mut w),
            Body::Dgnss(b) => b.write(&mut w),
            Body::ClassB(b) => b.write(&mut w),
            Body::ClassBExtended(b) => b.write(&mut w),
            Body::DataLink(b) => b.write(&mut w),
            Body::AidToNavigation(b) => b.write(&mut w),
            Body::ChannelManagement(b) => b.write(&mut w),
            Body::GroupAssignment(b) => b.write(&mut w),
            Body::StaticData(b) => b.write(&mut w),
            Body::SlotBinary(b) => b.write(&mut w),
            Body::LongRange(b) => b.write(&mut w),
            Body::Unknown => {}
        }
        w.bits(&self.extra);
        w.finish()
    }

    /// Position in degrees (lon, lat) for message types that carry one,
    /// `None` when not available.
    pub fn position(&self) -> Option<(f64, f64)> {
        let (lon, lat) = match &self.body {
            Body::Position(b) => (b.lon.degrees(), b.lat.degrees()),
            Body::BaseStation(b) => (b.lon.degrees(), b.lat.degrees()),
            Body::SarAircraft(b) => (b.lon.degrees(), b.lat.degrees()),
            Body::ClassB(b) => (b.lon.degrees(), b.lat.degrees()),
            Body::ClassBExtended(b) => (b.lon.degrees(), b.lat.degrees()),
            Body::AidToNavigation(b) => (b.fixed.lon.degrees(), b.fixed.lat.degrees()),
            Body::LongRange(b) => (b.lon.degrees(), b.lat.degrees()),
            _ => return None,
        };
        Some((lon?, lat?))
    }
}
