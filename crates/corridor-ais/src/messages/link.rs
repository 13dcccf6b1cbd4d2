//! Link management and safety text: types 7/13 (acknowledgements), 10 (UTC
//! inquiry), 12/14 (safety text), 15 (interrogation), 16 (assigned mode), 20
//! (data link management), 22 (channel management), 23 (group assignment).

use super::fields::{Field, LatTenth, LonTenth, ShipType};
use crate::bits::{BitReader, BitWriter, LongText};

/// One acknowledged station (types 7 and 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ack {
    /// Acknowledged MMSI.
    pub mmsi: u32,
    /// Sequence number acknowledged.
    pub seqno: u8,
}

/// Types 7 and 13: binary / safety acknowledge (1-4 stations).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Acknowledge {
    /// Spare.
    pub spare: u8,
    /// Acknowledged stations, in order.
    pub acks: Vec<Ack>,
}

impl Acknowledge {
    pub(crate) fn read(r: &mut BitReader<'_>) -> Self {
        let spare = r.u(2) as u8;
        let mut acks = Vec::with_capacity(4);
        loop {
            acks.push(Ack {
                mmsi: r.u(30),
                seqno: r.u(2) as u8,
            });
            if acks.len() == 4 || r.remaining() == 0 {
                break;
            }
        }
        Acknowledge { spare, acks }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.u(2, u32::from(self.spare));
        for a in self.acks.iter().take(4) {
            w.u(30, a.mmsi);
            w.u(2, u32::from(a.seqno));
        }
    }
}

ais_struct! {
    /// Type 10: UTC and date inquiry (72 bits).
    UtcInquiry {
        /// Spare.
        spare: u8 = 2,
        /// Destination MMSI.
        dest_mmsi: u32 = 30,
        /// Spare.
        spare2: u8 = 2,
    }
}

/// Type 12: addressed safety-related message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddressedSafety {
    /// Sequence number.
    pub seqno: u8,
    /// Destination MMSI.
    pub dest_mmsi: u32,
    /// Retransmit flag.
    pub retransmit: bool,
    /// Spare.
    pub spare: u8,
    /// Text (six-bit, up to 156 characters).
    pub text: LongText,
}

impl AddressedSafety {
    pub(crate) fn read(r: &mut BitReader<'_>) -> Self {
        let seqno = r.u(2) as u8;
        let dest_mmsi = r.u(30);
        let retransmit = r.b();
        let spare = r.u(1) as u8;
        let chars = r.remaining() / 6;
        AddressedSafety {
            seqno,
            dest_mmsi,
            retransmit,
            spare,
            text: LongText::read(r, chars),
        }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.u(2, u32::from(self.seqno));
        w.u(30, self.dest_mmsi);
        w.b(self.retransmit);
        w.u(1, u32::from(self.spare));
        self.text.write(w);
    }
}

/// Type 14: safety-related broadcast message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SafetyBroadcast {
    /// Spare.
    pub spare: u8,
    /// Text (six-bit, up to 161 characters).
    pub text: LongText,
}

impl SafetyBroadcast {
    pub(crate) fn read(r: &mut BitReader<'_>) -> Self {
        let spare = r.u(2) as u8;
        let chars = r.remaining() / 6;
        SafetyBroadcast {
            spare,
            text: LongText::read(r, chars),
        }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.u(2, u32::from(self.spare));
        self.text.write(w);
    }
}

/// Second request to the first station of a type 15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SecondRequest {
    /// Spare before it.
    pub spare: u8,
    /// Requested message type.
    pub msg_type: u8,
    /// Slot offset.
    pub offset: u16,
}

/// Request to a second station in a type 15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SecondStation {
    /// Spare before it.
    pub spare: u8,
    /// Interrogated MMSI.
    pub mmsi: u32,
    /// Requested message type.
    pub msg_type: u8,
    /// Slot offset.
    pub offset: u16,
    /// Trailing spare.
    pub spare2: u8,
}

/// Type 15: interrogation (88-160 bits).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Interrogation {
    /// Spare.
    pub spare: u8,
    /// First interrogated MMSI.
    pub mmsi1: u32,
    /// First requested message type.
    pub type1_1: u8,
    /// Its slot offset.
    pub offset1_1: u16,
    /// Optional second request to the first station.
    pub request2: Option<SecondRequest>,
    /// Optional request to a second station.
    pub station2: Option<SecondStation>,
}

impl Interrogation {
    pub(crate) fn read(r: &mut BitReader<'_>) -> Self {
        let spare = r.u(2) as u8;
        let mmsi1 = r.u(30);
        let type1_1 = r.u(6) as u8;
        let offset1_1 = r.u(12) as u16;
        // Like gpsd: the optional parts are read as soon as they start
        // (bit 90 and 110), a short tail reading as zeros (flagged partial).
        let request2 = (r.remaining() > 2).then(|| SecondRequest {
            spare: r.u(2) as u8,
            msg_type: r.u(6) as u8,
            offset: r.u(12) as u16,
        });
        let station2 = (request2.is_some() && r.remaining() > 2).then(|| SecondStation {
            spare: r.u(2) as u8,
            mmsi: r.u(30),
            msg_type: r.u(6) as u8,
            offset: r.u(12) as u16,
            spare2: r.u(2) as u8,
        });
        Interrogation {
            spare,
            mmsi1,
            type1_1,
            offset1_1,
            request2,
            station2,
        }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.u(2, u32::from(self.spare));
        w.u(30, self.mmsi1);
        w.u(6, u32::from(self.type1_1));
        w.u(12, u32::from(self.offset1_1));
        if let Some(q) = self.request2 {
            w.u(2, u32::from(q.spare));
            w.u(6, u32::from(q.msg_type));
            w.u(12, u32::from(q.offset));
            if let Some(s) = self.station2 {
                w.u(2, u32::from(s.spare));
                w.u(30, s.mmsi);
                w.u(6, u32::from(s.msg_type));
                w.u(12, u32::from(s.offset));
                w.u(2, u32::from(s.spare2));
            }
        }
    }
}

/// One station's assignment in a type 16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Assignment {
    /// Destination MMSI.
    pub mmsi: u32,
    /// Slot offset.
    pub offset: u16,
    /// Increment.
    pub increment: u16,
}

/// Type 16: assigned mode command (96 or 144 bits).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssignedMode {
    /// Spare.
    pub spare: u8,
    /// First station.
    pub first: Assignment,
    /// Second station, if present.
    pub second: Option<Assignment>,
    /// Trailing spare (4 bits, single-station form only).
    pub spare2: u8,
}

impl AssignedMode {
    pub(crate) fn read(r: &mut BitReader<'_>) -> Self {
        fn one(r: &mut BitReader<'_>) -> Assignment {
            Assignment {
                mmsi: r.u(30),
                offset: r.u(12) as u16,
                increment: r.u(10) as u16,
            }
        }
        let spare = r.u(2) as u8;
        let first = one(r);
        let second = (r.remaining() >= 52).then(|| one(r));
        let spare2 = if second.is_none() { r.u(4) as u8 } else { 0 };
        AssignedMode {
            spare,
            first,
            second,
            spare2,
        }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.u(2, u32::from(self.spare));
        for a in std::iter::once(&self.first).chain(self.second.as_ref()) {
            w.u(30, a.mmsi);
            w.u(12, u32::from(a.offset));
            w.u(10, u32::from(a.increment));
        }
        if self.second.is_none() {
            w.u(4, u32::from(self.spare2));
        }
    }
}

/// One slot reservation in a type 20.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reservation {
    /// Reserved offset number.
    pub offset: u16,
    /// Number of reserved consecutive slots.
    pub number: u8,
    /// Timeout in minutes.
    pub timeout: u8,
    /// Increment.
    pub increment: u16,
}

/// Type 20: data link management (1-4 reservations).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataLinkManagement {
    /// Spare.
    pub spare: u8,
    /// Reservations in order.
    pub reservations: Vec<Reservation>,
}

impl DataLinkManagement {
    pub(crate) fn read(r: &mut BitReader<'_>) -> Self {
        let spare = r.u(2) as u8;
        let mut reservations = Vec::with_capacity(4);
        loop {
            reservations.push(Reservation {
                offset: r.u(12) as u16,
                number: r.u(4) as u8,
                timeout: r.u(3) as u8,
                increment: r.u(11) as u16,
            });
            if reservations.len() == 4 || r.remaining() < 30 {
                break;
            }
        }
        DataLinkManagement {
            spare,
            reservations,
        }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.u(2, u32::from(self.spare));
        for s in self.reservations.iter().take(4) {
            w.u(12, u32::from(s.offset));
            w.u(4, u32::from(s.number));
            w.u(3, u32::from(s.timeout));
            w.u(11, u32::from(s.increment));
        }
    }
}

/// Area or addressed stations of a type 22.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelTarget {
    /// Broadcast: the rectangle the command applies to (1/10 minute).
    Area {
        /// North-east longitude.
        ne_lon: LonTenth,
        /// North-east latitude.
        ne_lat: LatTenth,
        /// South-west longitude.
        sw_lon: LonTenth,
        /// South-west latitude.
        sw_lat: LatTenth,
    },
    /// Addressed: two stations (each followed by 5 spare bits).
    Addressed {
        /// First MMSI.
        dest1: u32,
        /// Spare after it.
        spare1: u8,
        /// Second MMSI.
        dest2: u32,
        /// Spare after it.
        spare2: u8,
    },
}

impl Default for ChannelTarget {
    fn default() -> Self {
        ChannelTarget::Area {
            ne_lon: LonTenth(0),
            ne_lat: LatTenth(0),
            sw_lon: LonTenth(0),
            sw_lat: LatTenth(0),
        }
    }
}

/// Type 22: channel management (168 bits).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelManagement {
    /// Spare.
    pub spare: u8,
    /// Channel A number.
    pub channel_a: u16,
    /// Channel B number.
    pub channel_b: u16,
    /// Tx/Rx mode.
    pub txrx: u8,
    /// Low power flag.
    pub power: bool,
    /// Area or addressed stations (the `addressed` flag picks which).
    pub target: ChannelTarget,
    /// Channel A bandwidth flag.
    pub band_a: bool,
    /// Channel B bandwidth flag.
    pub band_b: bool,
    /// Transitional zone size.
    pub zonesize: u8,
    /// Spare (23 bits).
    pub spare2: u32,
}

impl ChannelManagement {
    /// Where field `name` ends, in bits after the header (as the fixed
    /// layouts' `field_end`). The area's corners and the addressed
    /// stations share bits that the `addressed` flag after them tells
    /// apart: neither is held until that flag is.
    pub fn field_end(name: &str) -> Option<usize> {
        Some(match name {
            "spare" => 2,
            "channel_a" => 14,
            "channel_b" => 26,
            "txrx" => 30,
            "power" => 31,
            "ne_lon" | "ne_lat" | "sw_lon" | "sw_lat" | "dest1" | "dest2" | "addressed" => 102,
            "band_a" => 103,
            "band_b" => 104,
            "zonesize" => 107,
            "spare2" => 130,
            _ => return None,
        })
    }

    /// Addressed form?
    pub fn addressed(&self) -> bool {
        matches!(self.target, ChannelTarget::Addressed { .. })
    }
    pub(crate) fn read(r: &mut BitReader<'_>) -> Self {
        let spare = r.u(2) as u8;
        let channel_a = r.u(12) as u16;
        let channel_b = r.u(12) as u16;
        let txrx = r.u(4) as u8;
        let power = r.b();
        // The addressed flag sits after the 70 bits it selects: peek ahead.
        let mut peek = r.clone();
        peek.skip(70);
        let addressed = peek.b();
        let target = if addressed {
            ChannelTarget::Addressed {
                dest1: r.u(30),
                spare1: r.u(5) as u8,
                dest2: r.u(30),
                spare2: r.u(5) as u8,
            }
        } else {
            ChannelTarget::Area {
                ne_lon: LonTenth::get(r, 18),
                ne_lat: LatTenth::get(r, 17),
                sw_lon: LonTenth::get(r, 18),
                sw_lat: LatTenth::get(r, 17),
            }
        };
        let _ = r.b();
        let band_a = r.b();
        let band_b = r.b();
        let zonesize = r.u(3) as u8;
        let spare2 = r.u(23);
        ChannelManagement {
            spare,
            channel_a,
            channel_b,
            txrx,
            power,
            target,
            band_a,
            band_b,
            zonesize,
            spare2,
        }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.u(2, u32::from(self.spare));
        w.u(12, u32::from(self.channel_a));
        w.u(12, u32::from(self.channel_b));
        w.u(4, u32::from(self.txrx));
        w.b(self.power);
        match self.target {
            ChannelTarget::Addressed {
                dest1,
                spare1,
                dest2,
                spare2,
            } => {
                w.u(30, dest1);
                w.u(5, u32::from(spare1));
                w.u(30, dest2);
                w.u(5, u32::from(spare2));
            }
            ChannelTarget::Area {
                ne_lon,
                ne_lat,
                sw_lon,
                sw_lat,
            } => {
                ne_lon.put(w, 18);
                ne_lat.put(w, 17);
                sw_lon.put(w, 18);
                sw_lat.put(w, 17);
            }
        }
        w.b(self.addressed());
        w.b(self.band_a);
        w.b(self.band_b);
        w.u(3, u32::from(self.zonesize));
        w.u(23, self.spare2);
    }
}

ais_struct! {
    /// Type 23: group assignment command (160 bits).
    GroupAssignment {
        /// Spare.
        spare: u8 = 2,
        /// North-east longitude (1/10 minute).
        ne_lon: LonTenth = 18,
        /// North-east latitude.
        ne_lat: LatTenth = 17,
        /// South-west longitude.
        sw_lon: LonTenth = 18,
        /// South-west latitude.
        sw_lat: LatTenth = 17,
        /// Station type.
        stationtype: u8 = 4,
        /// Ship and cargo type.
        shiptype: ShipType = 8,
        /// Spare.
        spare2: u32 = 22,
        /// Tx/Rx mode.
        txrx: u8 = 2,
        /// Reporting interval.
        interval: u8 = 4,
        /// Quiet time in minutes.
        quiet: u8 = 4,
        /// Spare.
        spare3: u8 = 6,
    }
}
