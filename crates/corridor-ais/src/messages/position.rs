//! Position reports: types 1-3 (Class A), 4/11 (base station / UTC
//! response), 9 (SAR aircraft), 18/19 (Class B), 27 (long range).

use super::fields::{
    Course, Heading, Lat, LatTenth, Lon, LonTenth, NavStatus, RateOfTurn, ShipType, Speed,
};
use crate::bits::AisText;

ais_struct! {
    /// Types 1, 2, 3: Class A position report (168 bits).
    PositionReport {
        /// Navigation status.
        status: NavStatus = 4,
        /// Rate of turn indicator.
        turn: RateOfTurn = 8,
        /// Speed over ground.
        speed: Speed = 10,
        /// Position accuracy flag (true: < 10 m, DGNSS).
        accuracy: bool = 1,
        /// Longitude.
        lon: Lon = 28,
        /// Latitude.
        lat: Lat = 27,
        /// Course over ground.
        course: Course = 12,
        /// True heading.
        heading: Heading = 9,
        /// UTC second of the report (60-63: n/a, manual, dead reckoning, inoperative).
        second: u8 = 6,
        /// Special manoeuvre indicator (0 n/a, 1 no, 2 yes).
        maneuver: u8 = 2,
        /// Spare.
        spare: u8 = 3,
        /// RAIM in use.
        raim: bool = 1,
        /// Communication state (SOTDMA/ITDMA).
        radio: u32 = 19,
    }
}

ais_struct! {
    /// Types 4 and 11: base station report / UTC and date response (168 bits).
    BaseStationReport {
        /// UTC year (0 = n/a).
        year: u16 = 14,
        /// Month (0 = n/a).
        month: u8 = 4,
        /// Day (0 = n/a).
        day: u8 = 5,
        /// Hour (24 = n/a).
        hour: u8 = 5,
        /// Minute (60 = n/a).
        minute: u8 = 6,
        /// Second (60 = n/a).
        second: u8 = 6,
        /// Position accuracy.
        accuracy: bool = 1,
        /// Longitude.
        lon: Lon = 28,
        /// Latitude.
        lat: Lat = 27,
        /// Type of position fixing device.
        epfd: u8 = 4,
        /// Transmission control for long-range broadcast (1 bit) and spare (9).
        spare: u16 = 10,
        /// RAIM.
        raim: bool = 1,
        /// Communication state.
        radio: u32 = 19,
    }
}

ais_struct! {
    /// Type 9: standard SAR aircraft position report (168 bits).
    SarAircraftReport {
        /// Altitude in metres (4095 n/a, 4094 = 4094 m or higher).
        alt: u16 = 12,
        /// Speed over ground in whole knots (1023 n/a, 1022 = 1022+).
        speed: u16 = 10,
        /// Position accuracy.
        accuracy: bool = 1,
        /// Longitude.
        lon: Lon = 28,
        /// Latitude.
        lat: Lat = 27,
        /// Course over ground.
        course: Course = 12,
        /// UTC second.
        second: u8 = 6,
        /// Altitude sensor (1 bit) and regional reserved (7).
        regional: u8 = 8,
        /// Data terminal ready (false = available).
        dte: bool = 1,
        /// Spare.
        spare: u8 = 3,
        /// Assigned mode.
        assigned: bool = 1,
        /// RAIM.
        raim: bool = 1,
        /// Communication state selector and state.
        radio: u32 = 20,
    }
}

ais_struct! {
    /// Type 18: standard Class B CS position report (168 bits).
    ClassBPositionReport {
        /// Regional reserved.
        reserved: u8 = 8,
        /// Speed over ground.
        speed: Speed = 10,
        /// Position accuracy.
        accuracy: bool = 1,
        /// Longitude.
        lon: Lon = 28,
        /// Latitude.
        lat: Lat = 27,
        /// Course over ground.
        course: Course = 12,
        /// True heading.
        heading: Heading = 9,
        /// UTC second.
        second: u8 = 6,
        /// Regional reserved.
        regional: u8 = 2,
        /// Class B unit flag (true: carrier-sense unit).
        cs: bool = 1,
        /// Display flag.
        display: bool = 1,
        /// DSC flag.
        dsc: bool = 1,
        /// Band flag.
        band: bool = 1,
        /// Message 22 flag.
        msg22: bool = 1,
        /// Assigned mode.
        assigned: bool = 1,
        /// RAIM.
        raim: bool = 1,
        /// Communication state selector and state.
        radio: u32 = 20,
    }
}

ais_struct! {
    /// Type 19: extended Class B position report (312 bits).
    ClassBExtendedReport {
        /// Regional reserved.
        reserved: u8 = 8,
        /// Speed over ground.
        speed: Speed = 10,
        /// Position accuracy.
        accuracy: bool = 1,
        /// Longitude.
        lon: Lon = 28,
        /// Latitude.
        lat: Lat = 27,
        /// Course over ground.
        course: Course = 12,
        /// True heading.
        heading: Heading = 9,
        /// UTC second.
        second: u8 = 6,
        /// Regional reserved.
        regional: u8 = 4,
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
        /// RAIM.
        raim: bool = 1,
        /// Data terminal ready (false = available).
        dte: bool = 1,
        /// Assigned mode.
        assigned: bool = 1,
        /// Spare.
        spare: u8 = 4,
    }
}

ais_struct! {
    /// Type 27: long-range AIS broadcast (96 bits).
    LongRangeReport {
        /// Position accuracy.
        accuracy: bool = 1,
        /// RAIM.
        raim: bool = 1,
        /// Navigation status.
        status: NavStatus = 4,
        /// Longitude (1/10 minute).
        lon: LonTenth = 18,
        /// Latitude (1/10 minute).
        lat: LatTenth = 17,
        /// Speed over ground in knots (63 = n/a).
        speed: u8 = 6,
        /// Course over ground in degrees (511 = n/a).
        course: u16 = 9,
        /// Position latency (false: < 5 s; gpsd calls it `gnss`).
        gnss: bool = 1,
        /// Spare.
        spare: u8 = 1,
    }
}

impl LongRangeReport {
    /// Speed in knots, `None` when not available.
    pub fn speed_knots(&self) -> Option<f64> {
        (self.speed != 63).then(|| f64::from(self.speed))
    }
    /// Course in degrees, `None` when not available.
    pub fn course_degrees(&self) -> Option<u16> {
        (self.course < 360).then_some(self.course)
    }
}
