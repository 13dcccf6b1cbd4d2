//! Static and voyage data: type 5, type 24 (parts A/B and the merge
//! helper) and type 21 (aid to navigation).

use std::collections::HashMap;

use super::fields::{Field, Lat, Lon, ShipType};
use crate::bits::{AisText, BitReader, BitWriter, LongText};

ais_struct! {
    /// Type 5: static and voyage related data (424 bits).
    StaticVoyageData {
        /// AIS version indicator.
        ais_version: u8 = 2,
        /// IMO number (0 = n/a).
        imo: u32 = 30,
        /// Call sign.
        callsign: AisText<7> = 42,
        /// Vessel name.
        shipname: AisText<20> = 120,
        /// Ship and cargo type.
        shiptype: ShipType = 8,
        /// Dimension to bow (m).
        to_bow: u16 = 9,
        /// Dimension to stern (m).
        to_stern: u16 = 9,
        /// Dimension to port (m).
        to_port: u8 = 6,
        /// Dimension to starboard (m).
        to_starboard: u8 = 6,
        /// Type of position fixing device.
        epfd: u8 = 4,
        /// ETA month (0 = n/a).
        month: u8 = 4,
        /// ETA day (0 = n/a).
        day: u8 = 5,
        /// ETA hour (24 = n/a).
        hour: u8 = 5,
        /// ETA minute (60 = n/a).
        minute: u8 = 6,
        /// Maximum present static draught in 1/10 m (0 = n/a).
        draught: u8 = 8,
        /// Destination.
        destination: AisText<20> = 120,
        /// Data terminal ready (false = available).
        dte: bool = 1,
        /// Spare.
        spare: u8 = 1,
    }
}

impl StaticVoyageData {
    /// Draught in metres, `None` when not available.
    pub fn draught_m(&self) -> Option<f64> {
        (self.draught != 0).then(|| f64::from(self.draught) / 10.0)
    }
}

ais_struct! {
    /// Type 21: aid-to-navigation report (272-360 bits).
    AidToNavigationFixed {
        /// Type of aid (gpsd legend via [`crate::gpsd_json`]).
        aid_type: u8 = 5,
        /// Name (first 20 characters).
        name: AisText<20> = 120,
        /// Position accuracy.
        accuracy: bool = 1,
        /// Longitude.
        lon: Lon = 28,
        /// Latitude.
        lat: Lat = 27,
        /// Dimension to bow (m).
        to_bow: u16 = 9,
        /// Dimension to stern (m).
        to_stern: u16 = 9,
        /// Dimension to port (m).
        to_port: u8 = 6,
        /// Dimension to starboard (m).
        to_starboard: u8 = 6,
        /// Type of position fixing device.
        epfd: u8 = 4,
        /// UTC second.
        second: u8 = 6,
        /// Off-position indicator.
        off_position: bool = 1,
        /// Regional reserved.
        regional: u8 = 8,
        /// RAIM.
        raim: bool = 1,
        /// Virtual aid flag.
        virtual_aid: bool = 1,
        /// Assigned mode.
        assigned: bool = 1,
        /// Spare.
        spare: u8 = 1,
    }
}

/// Type 21 with its optional name extension.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AidToNavigationReport {
    /// The fixed 272-bit part.
    pub fixed: AidToNavigationFixed,
    /// Name extension (up to 14 characters).
    pub name_ext: LongText,
}

impl AidToNavigationReport {
    pub(crate) fn read(r: &mut BitReader<'_>) -> Self {
        let fixed = AidToNavigationFixed::read(r);
        let chars = (r.remaining() / 6).min(14);
        AidToNavigationReport {
            fixed,
            name_ext: LongText::read(r, chars),
        }
    }
    pub(crate) fn write(&self, w: &mut BitWriter) {
        self.fixed.write(w);
        self.name_ext.write(w);
    }
    /// Full name: the 20-character name followed by the extension.
    pub fn full_name(&self) -> String {
        let mut s = self.fixed.name.as_str().to_string();
        if self.fixed.name.raw().find('@').is_none() {
            s = self.fixed.name.raw().to_string();
            s.push_str(self.name_ext.as_str());
            return s.trim_end().to_string();
        }
        s
    }
}

/// Dimensions, or the mother ship of an auxiliary craft (type 24 B).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimensions {
    /// Reference point distances in metres.
    Ship {
        /// To bow.
        to_bow: u16,
        /// To stern.
        to_stern: u16,
        /// To port.
        to_port: u8,
        /// To starboard.
        to_starboard: u8,
    },
    /// Auxiliary craft (MMSI 98MIDxxxx): the mother ship's MMSI.
    MotherShip(u32),
}

impl Default for Dimensions {
    fn default() -> Self {
        Dimensions::Ship {
            to_bow: 0,
            to_stern: 0,
            to_port: 0,
            to_starboard: 0,
        }
    }
}

/// Type 24 part B fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StaticPartB {
    /// Ship and cargo type.
    pub shiptype: ShipType,
    /// Vendor id (3 characters).
    pub vendorid: AisText<3>,
    /// Unit model code.
    pub model: u8,
    /// Unit serial number.
    pub serial: u32,
    /// Call sign.
    pub callsign: AisText<7>,
    /// Dimensions or mother ship.
    pub dimensions: Dimensions,
    /// Spare (6 bits).
    pub spare: u8,
}

/// Type 24: Class B static data report, one part per message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaticDataReport {
    /// Part A (number 0): the name.
    A {
        /// Vessel name.
        shipname: AisText<20>,
        /// Trailing spare (absent in 160-bit transmissions).
        spare: Option<u8>,
    },
    /// Part B (number 1).
    B(StaticPartB),
    /// Part numbers 2 and 3 are not defined; the bits are kept.
    Reserved {
        /// Part number.
        partno: u8,
    },
}

impl Default for StaticDataReport {
    fn default() -> Self {
        StaticDataReport::A {
            shipname: AisText::default(),
            spare: Some(0),
        }
    }
}

/// Is this MMSI an auxiliary craft's (98MIDxxxx)?
pub fn is_auxiliary_mmsi(mmsi: u32) -> bool {
    mmsi / 10_000_000 == 98
}

impl StaticDataReport {
    pub(crate) fn read(r: &mut BitReader<'_>, mmsi: u32) -> Self {
        let partno = r.u(2) as u8;
        match partno {
            0 => {
                let shipname = AisText::<20>::get(r, 120);
                let spare = (r.remaining() >= 8).then(|| r.u(8) as u8);
                StaticDataReport::A { shipname, spare }
            }
            1 => {
                let shiptype = ShipType::get(r, 8);
                let vendorid = AisText::<3>::get(r, 18);
                let model = r.u(4) as u8;
                let serial = r.u(20);
                let callsign = AisText::<7>::get(r, 42);
                let dimensions = if is_auxiliary_mmsi(mmsi) {
                    Dimensions::MotherShip(r.u(30))
                } else {
                    Dimensions::Ship {
                        to_bow: r.u(9) as u16,
                        to_stern: r.u(9) as u16,
                        to_port: r.u(6) as u8,
                        to_starboard: r.u(6) as u8,
                    }
                };
                let spare = r.u(6) as u8;
                StaticDataReport::B(StaticPartB {
                    shiptype,
                    vendorid,
                    model,
                    serial,
                    callsign,
                    dimensions,
                    spare,
                })
            }
            p => StaticDataReport::Reserved { partno: p },
        }
    }

    pub(crate) fn write(&self, w: &mut BitWriter) {
        match self {
            StaticDataReport::A { shipname, spare } => {
                w.u(2, 0);
                shipname.put(w, 120);
                if let Some(s) = spare {
                    w.u(8, u32::from(*s));
                }
            }
            StaticDataReport::B(b) => {
                w.u(2, 1);
                b.shiptype.put(w, 8);
                b.vendorid.put(w, 18);
                w.u(4, u32::from(b.model));
                w.u(20, b.serial);
                b.callsign.put(w, 42);
                match b.dimensions {
                    Dimensions::MotherShip(m) => w.u(30, m),
                    Dimensions::Ship {
                        to_bow,
                        to_stern,
                        to_port,
                        to_starboard,
                    } => {
                        w.u(9, u32::from(to_bow));
                        w.u(9, u32::from(to_stern));
                        w.u(6, u32::from(to_port));
                        w.u(6, u32::from(to_starboard));
                    }
                }
                w.u(6, u32::from(b.spare));
            }
            StaticDataReport::Reserved { partno } => w.u(2, u32::from(*partno)),
        }
    }
}

/// Class B static data merged from type 24 parts A and B.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClassBStatic {
    /// MMSI.
    pub mmsi: u32,
    /// Name from part A, if seen.
    pub shipname: Option<AisText<20>>,
    /// Part B, if seen.
    pub part_b: Option<StaticPartB>,
}

impl ClassBStatic {
    /// Both parts seen.
    pub fn is_complete(&self) -> bool {
        self.shipname.is_some() && self.part_b.is_some()
    }
}

/// Merges type 24 parts A and B per MMSI (bounded: the table is cleared when
/// it reaches its capacity, since parts normally arrive within minutes).
#[derive(Debug)]
pub struct Type24Merger {
    table: HashMap<u32, ClassBStatic>,
    capacity: usize,
}

impl Default for Type24Merger {
    fn default() -> Self {
        Type24Merger::new(65_536)
    }
}

impl Type24Merger {
    /// A merger holding at most `capacity` MMSIs.
    pub fn new(capacity: usize) -> Self {
        Type24Merger {
            table: HashMap::new(),
            capacity: capacity.max(1),
        }
    }

    /// Feed a type 24 report; returns the merged record so far for its MMSI.
    pub fn push(&mut self, mmsi: u32, report: &StaticDataReport) -> &ClassBStatic {
        if self.table.len() >= self.capacity && !self.table.contains_key(&mmsi) {
            self.table.clear();
        }
        let e = self.table.entry(mmsi).or_insert_with(|| ClassBStatic {
            mmsi,
            ..ClassBStatic::default()
        });
        match report {
            StaticDataReport::A { shipname, .. } => e.shipname = Some(*shipname),
            StaticDataReport::B(b) => e.part_b = Some(b.clone()),
            StaticDataReport::Reserved { .. } => {}
        }
        e
    }

    /// The merged record for `mmsi`, if any part was seen.
    pub fn get(&self, mmsi: u32) -> Option<&ClassBStatic> {
        self.table.get(&mmsi)
    }
}
