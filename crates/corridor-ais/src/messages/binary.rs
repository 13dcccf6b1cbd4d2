//! Binary payload carriers: types 6, 8 (DAC/FI application data), 17
//! (DGNSS corrections), 25 and 26 (single/multi-slot binary). The
//! application bits are always kept raw; [`crate::messages::dacfi`] decodes
//! the known applications from them.

use super::fields::{LatTenth, LonTenth};
use crate::bits::{BitReader, BitWriter, Bits};
use crate::messages::fields::Field;

/// Type 6: addressed binary message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AddressedBinary {
    /// Sequence number (0-3).
    pub seqno: u8,
    /// Destination MMSI.
    pub dest_mmsi: u32,
    /// Retransmit flag.
    pub retransmit: bool,
    /// Spare.
    pub spare: u8,
    /// Designated area code.
    pub dac: u16,
    /// Function identifier.
    pub fid: u8,
    /// Application data after DAC/FI.
    pub data: Bits,
}

impl AddressedBinary {
    pub(crate) fn read(r: &mut BitReader<'_>) -> Self {
        AddressedBinary {
            seqno: r.u(2) as u8,
            dest_mmsi: r.u(30),
            retransmit: r.b(),
            spare: r.u(1) as u8,
            dac: r.u(10) as u16,
            fid: r.u(6) as u8,
            data: r.rest(),
        }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.u(2, u32::from(self.seqno));
        w.u(30, self.dest_mmsi);
        w.b(self.retransmit);
        w.u(1, u32::from(self.spare));
        w.u(10, u32::from(self.dac));
        w.u(6, u32::from(self.fid));
        w.bits(&self.data);
    }
}

/// Type 8: binary broadcast message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BinaryBroadcast {
    /// Spare.
    pub spare: u8,
    /// Designated area code.
    pub dac: u16,
    /// Function identifier.
    pub fid: u8,
    /// Application data after DAC/FI.
    pub data: Bits,
}

impl BinaryBroadcast {
    pub(crate) fn read(r: &mut BitReader<'_>) -> Self {
        BinaryBroadcast {
            spare: r.u(2) as u8,
            dac: r.u(10) as u16,
            fid: r.u(6) as u8,
            data: r.rest(),
        }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.u(2, u32::from(self.spare));
        w.u(10, u32::from(self.dac));
        w.u(6, u32::from(self.fid));
        w.bits(&self.data);
    }
}

/// Type 17: GNSS broadcast binary message (DGNSS corrections).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DgnssBroadcast {
    /// Spare.
    pub spare: u8,
    /// Reference station longitude (1/10 minute).
    pub lon: LonTenth,
    /// Reference station latitude (1/10 minute).
    pub lat: LatTenth,
    /// Spare.
    pub spare2: u8,
    /// Correction data (RTCM SC-104 words).
    pub data: Bits,
}

impl DgnssBroadcast {
    pub(crate) fn read(r: &mut BitReader<'_>) -> Self {
        DgnssBroadcast {
            spare: r.u(2) as u8,
            lon: LonTenth::get(r, 18),
            lat: LatTenth::get(r, 17),
            spare2: r.u(5) as u8,
            data: r.rest(),
        }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.u(2, u32::from(self.spare));
        self.lon.put(w, 18);
        self.lat.put(w, 17);
        w.u(5, u32::from(self.spare2));
        w.bits(&self.data);
    }
}

/// Types 25 and 26: single- and multiple-slot binary messages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlotBinary {
    /// Addressed (destination present).
    pub addressed: bool,
    /// Structured (application id present).
    pub structured: bool,
    /// Destination MMSI when addressed.
    pub dest_mmsi: Option<u32>,
    /// Spare after the destination: ITU-R M.1371-5's tables for messages
    /// 25 and 26 give "Spare 0/2 (if Destination ID used)" for byte
    /// alignment. gpsd, libais and pyais read no spare, so their app_id
    /// and data start 2 bits early (tests/KNOWN_DIFFERENCES.md).
    pub dest_spare: u8,
    /// Application id (DAC 10 bits + FI 6 bits) when structured.
    pub app_id: Option<u16>,
    /// Data bits.
    pub data: Bits,
    /// Type 26 only: communication state selector and state (20 bits).
    pub radio: Option<u32>,
}

impl SlotBinary {
    pub(crate) fn read(r: &mut BitReader<'_>, multi_slot: bool) -> Self {
        let addressed = r.b();
        let structured = r.b();
        let (dest_mmsi, dest_spare) = if addressed {
            (Some(r.u(30)), r.u(2) as u8)
        } else {
            (None, 0)
        };
        let app_id = structured.then(|| r.u(16) as u16);
        let (data, radio) = if multi_slot {
            let n = r.remaining().saturating_sub(20);
            let data = r.take_bits(n);
            (data, Some(r.u(20)))
        } else {
            (r.rest(), None)
        };
        SlotBinary {
            addressed,
            structured,
            dest_mmsi,
            dest_spare,
            app_id,
            data,
            radio,
        }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        w.b(self.addressed);
        w.b(self.structured);
        if self.addressed {
            w.u(30, self.dest_mmsi.unwrap_or(0));
            w.u(2, u32::from(self.dest_spare));
        }
        if self.structured {
            w.u(16, u32::from(self.app_id.unwrap_or(0)));
        }
        w.bits(&self.data);
        if let Some(radio) = self.radio {
            w.u(20, radio);
        }
    }
}
