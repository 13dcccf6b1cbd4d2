//! Field codecs: scaled quantities as newtypes over their raw value (so a
//! decoded message re-encodes bit for bit), with "not available" → `None`
//! accessors, and the ship-type / navigation-status enums.

use crate::bits::{AisText, BitReader, BitWriter, bits_at};

/// A value that reads itself from `n` bits and writes itself back.
pub trait Field: Sized {
    /// Read from `n` bits.
    fn get(r: &mut BitReader<'_>, n: u32) -> Self;
    /// Read `n` bits at bit `off` of a de-armored buffer (fixed-layout fast
    /// path: the caller checked that they are within the payload).
    fn get_at(buf: &[u8], off: usize, n: u32) -> Self;
    /// Write into `n` bits.
    fn put(&self, w: &mut BitWriter, n: u32);
}

macro_rules! unsigned_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            #[inline]
            fn get(r: &mut BitReader<'_>, n: u32) -> Self { r.u(n) as $t }
            #[inline(always)]
            fn get_at(buf: &[u8], off: usize, n: u32) -> Self { bits_at(buf, off, n) as $t }
            #[inline]
            fn put(&self, w: &mut BitWriter, n: u32) { w.u(n, u32::from(*self)) }
        }
    )*};
}
unsigned_field!(u8, u16, u32);

impl Field for bool {
    #[inline]
    fn get(r: &mut BitReader<'_>, n: u32) -> Self {
        r.u(n) != 0
    }
    #[inline(always)]
    fn get_at(buf: &[u8], off: usize, n: u32) -> Self {
        bits_at(buf, off, n) != 0
    }
    #[inline]
    fn put(&self, w: &mut BitWriter, n: u32) {
        w.u(n, u32::from(*self))
    }
}

impl<const N: usize> Field for AisText<N> {
    /// `n` is the number of bits (6 per character).
    fn get(r: &mut BitReader<'_>, n: u32) -> Self {
        AisText::read(r, (n / 6) as usize)
    }
    #[inline(always)]
    fn get_at(buf: &[u8], off: usize, n: u32) -> Self {
        AisText::read_at(buf, off, (n / 6) as usize)
    }
    fn put(&self, w: &mut BitWriter, n: u32) {
        self.write(w, (n / 6) as usize)
    }
}

macro_rules! signed_newtype {
    ($(#[$m:meta])* $name:ident($t:ty)) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(pub $t);
        impl Field for $name {
            #[inline]
            fn get(r: &mut BitReader<'_>, n: u32) -> Self { $name(r.i(n) as $t) }
            #[inline(always)]
            fn get_at(buf: &[u8], off: usize, n: u32) -> Self {
                let shift = 32 - n;
                $name((((bits_at(buf, off, n) << shift) as i32) >> shift) as $t)
            }
            #[inline]
            fn put(&self, w: &mut BitWriter, n: u32) { w.i(n, i32::from(self.0)) }
        }
    };
}

macro_rules! unsigned_newtype {
    ($(#[$m:meta])* $name:ident($t:ty)) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(pub $t);
        impl Field for $name {
            #[inline]
            fn get(r: &mut BitReader<'_>, n: u32) -> Self { $name(r.u(n) as $t) }
            #[inline(always)]
            fn get_at(buf: &[u8], off: usize, n: u32) -> Self { $name(bits_at(buf, off, n) as $t) }
            #[inline]
            fn put(&self, w: &mut BitWriter, n: u32) { w.u(n, u32::from(self.0)) }
        }
    };
}

signed_newtype!(
    /// Longitude in 1/10 000 minute (28 bits); 181° = not available.
    Lon(i32)
);
signed_newtype!(
    /// Latitude in 1/10 000 minute (27 bits); 91° = not available.
    Lat(i32)
);
signed_newtype!(
    /// Longitude in 1/10 minute (18 bits: types 17, 22, 23, 27); 181° = n/a.
    LonTenth(i32)
);
signed_newtype!(
    /// Latitude in 1/10 minute (17 bits); 91° = n/a.
    LatTenth(i32)
);
signed_newtype!(
    /// Rate of turn indicator (ROT_AIS, −127..=127; −128 = not available).
    RateOfTurn(i8)
);
unsigned_newtype!(
    /// Speed over ground in 1/10 knot (10 bits); 1023 = n/a, 1022 = 102.2 kn or more.
    Speed(u16)
);
unsigned_newtype!(
    /// Course over ground in 1/10 degree (12 bits); 3600 = n/a.
    Course(u16)
);
unsigned_newtype!(
    /// True heading in degrees (9 bits); 511 = n/a.
    Heading(u16)
);

impl Lon {
    /// Degrees, `None` when not available (181°) or out of range.
    pub fn degrees(self) -> Option<f64> {
        let d = f64::from(self.0) / 600_000.0;
        (d.abs() <= 180.0).then_some(d)
    }
    /// From degrees (rounded to 1/10 000 minute).
    pub fn from_degrees(d: f64) -> Self {
        Lon((d * 600_000.0).round() as i32)
    }
    /// The not-available value.
    pub const NOT_AVAILABLE: Lon = Lon(181 * 600_000);
}

impl Lat {
    /// Degrees, `None` when not available (91°) or out of range.
    pub fn degrees(self) -> Option<f64> {
        let d = f64::from(self.0) / 600_000.0;
        (d.abs() <= 90.0).then_some(d)
    }
    /// From degrees.
    pub fn from_degrees(d: f64) -> Self {
        Lat((d * 600_000.0).round() as i32)
    }
    /// The not-available value.
    pub const NOT_AVAILABLE: Lat = Lat(91 * 600_000);
}

impl LonTenth {
    /// Degrees, `None` when not available or out of range.
    pub fn degrees(self) -> Option<f64> {
        let d = f64::from(self.0) / 600.0;
        (d.abs() <= 180.0).then_some(d)
    }
}

impl LatTenth {
    /// Degrees, `None` when not available or out of range.
    pub fn degrees(self) -> Option<f64> {
        let d = f64::from(self.0) / 600.0;
        (d.abs() <= 90.0).then_some(d)
    }
}

impl RateOfTurn {
    /// Degrees per minute ((ROT/4.733)², signed); `None` when not available
    /// or when the indicator only says "turning fast" (±127).
    pub fn degrees_per_minute(self) -> Option<f64> {
        match self.0 {
            -128 | -127 | 127 => None,
            v => {
                let r = (f64::from(v) / 4.733).powi(2);
                Some(if v < 0 { -r } else { r })
            }
        }
    }
    /// True when no turn information is available.
    pub fn is_available(self) -> bool {
        self.0 != -128
    }
}

impl Speed {
    /// Knots; `None` when not available.
    pub fn knots(self) -> Option<f64> {
        (self.0 != 1023).then(|| f64::from(self.0) / 10.0)
    }
}

impl Course {
    /// Degrees; `None` when not available (3600) or out of range.
    pub fn degrees(self) -> Option<f64> {
        (self.0 < 3600).then(|| f64::from(self.0) / 10.0)
    }
}

impl Heading {
    /// Degrees; `None` when not available (511) or out of range.
    pub fn degrees(self) -> Option<u16> {
        (self.0 < 360).then_some(self.0)
    }
}

/// Navigation status (4 bits, all 16 values named).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum NavStatus {
    #[default]
    UnderWayUsingEngine = 0,
    AtAnchor = 1,
    NotUnderCommand = 2,
    RestrictedManeuverability = 3,
    ConstrainedByDraught = 4,
    Moored = 5,
    Aground = 6,
    EngagedInFishing = 7,
    UnderWaySailing = 8,
    ReservedHsc = 9,
    ReservedWig = 10,
    TowingAstern = 11,
    PushingAheadOrTowingAlongside = 12,
    Reserved13 = 13,
    AisSartActive = 14,
    NotDefined = 15,
}

impl NavStatus {
    /// From the 4-bit value (higher bits ignored).
    pub fn from_raw(v: u8) -> Self {
        use NavStatus::*;
        [
            UnderWayUsingEngine,
            AtAnchor,
            NotUnderCommand,
            RestrictedManeuverability,
            ConstrainedByDraught,
            Moored,
            Aground,
            EngagedInFishing,
            UnderWaySailing,
            ReservedHsc,
            ReservedWig,
            TowingAstern,
            PushingAheadOrTowingAlongside,
            Reserved13,
            AisSartActive,
            NotDefined,
        ][usize::from(v & 15)]
    }
    /// The 4-bit value.
    pub fn raw(self) -> u8 {
        self as u8
    }
    /// gpsd's legend.
    pub fn text(self) -> &'static str {
        NAV_LEGENDS[usize::from(self.raw())]
    }
}

impl Field for NavStatus {
    fn get(r: &mut BitReader<'_>, n: u32) -> Self {
        NavStatus::from_raw(r.u(n) as u8)
    }
    #[inline(always)]
    fn get_at(buf: &[u8], off: usize, n: u32) -> Self {
        NavStatus::from_raw(bits_at(buf, off, n) as u8)
    }
    fn put(&self, w: &mut BitWriter, n: u32) {
        w.u(n, u32::from(self.raw()))
    }
}

const NAV_LEGENDS: [&str; 16] = [
    "Under way using engine",
    "At anchor",
    "Not under command",
    "Restricted maneuverability",
    "Constrained by her draught",
    "Moored",
    "Aground",
    "Engaged in fishing",
    "Under way sailing",
    "Reserved for HSC",
    "Reserved for WIG",
    "Power-driven vessel towing astern",
    "Power-driven vessel pushing ahead or towing alongside",
    "Reserved",
    "AIS-SART is active",
    "Not defined",
];

/// Ship and cargo type (8 bits). Categories with a hazard / sub-type digit
/// keep it (`Cargo(3)` is code 73); every code maps back to itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[allow(missing_docs)]
pub enum ShipType {
    #[default]
    NotAvailable,
    WingInGround(u8),
    Fishing,
    Towing,
    TowingLarge,
    Dredging,
    Diving,
    Military,
    Sailing,
    PleasureCraft,
    HighSpeedCraft(u8),
    Pilot,
    SearchAndRescue,
    Tug,
    PortTender,
    AntiPollution,
    LawEnforcement,
    LocalVessel(u8),
    MedicalTransport,
    Noncombatant,
    Passenger(u8),
    Cargo(u8),
    Tanker(u8),
    Other(u8),
    /// Codes 1-19, 38-39 and 100-255.
    Reserved(u8),
}

impl ShipType {
    /// From the 8-bit code.
    pub fn from_raw(v: u8) -> Self {
        use ShipType::*;
        match v {
            0 => NotAvailable,
            20..=29 => WingInGround(v - 20),
            30 => Fishing,
            31 => Towing,
            32 => TowingLarge,
            33 => Dredging,
            34 => Diving,
            35 => Military,
            36 => Sailing,
            37 => PleasureCraft,
            40..=49 => HighSpeedCraft(v - 40),
            50 => Pilot,
            51 => SearchAndRescue,
            52 => Tug,
            53 => PortTender,
            54 => AntiPollution,
            55 => LawEnforcement,
            56..=57 => LocalVessel(v - 56),
            58 => MedicalTransport,
            59 => Noncombatant,
            60..=69 => Passenger(v - 60),
            70..=79 => Cargo(v - 70),
            80..=89 => Tanker(v - 80),
            90..=99 => Other(v - 90),
            _ => Reserved(v),
        }
    }

    /// The 8-bit code.
    pub fn raw(self) -> u8 {
        use ShipType::*;
        match self {
            NotAvailable => 0,
            WingInGround(d) => 20 + d.min(9),
            Fishing => 30,
            Towing => 31,
            TowingLarge => 32,
            Dredging => 33,
            Diving => 34,
            Military => 35,
            Sailing => 36,
            PleasureCraft => 37,
            HighSpeedCraft(d) => 40 + d.min(9),
            Pilot => 50,
            SearchAndRescue => 51,
            Tug => 52,
            PortTender => 53,
            AntiPollution => 54,
            LawEnforcement => 55,
            LocalVessel(d) => 56 + d.min(1),
            MedicalTransport => 58,
            Noncombatant => 59,
            Passenger(d) => 60 + d.min(9),
            Cargo(d) => 70 + d.min(9),
            Tanker(d) => 80 + d.min(9),
            Other(d) => 90 + d.min(9),
            Reserved(v) => v,
        }
    }

    /// gpsd's legend for the code.
    pub fn text(self) -> &'static str {
        ship_type_text(self.raw())
    }
}

impl Field for ShipType {
    fn get(r: &mut BitReader<'_>, n: u32) -> Self {
        ShipType::from_raw(r.u(n) as u8)
    }
    #[inline(always)]
    fn get_at(buf: &[u8], off: usize, n: u32) -> Self {
        ShipType::from_raw(bits_at(buf, off, n) as u8)
    }
    fn put(&self, w: &mut BitWriter, n: u32) {
        w.u(n, u32::from(self.raw()))
    }
}

/// gpsd's ship type legend for a raw code.
pub fn ship_type_text(v: u8) -> &'static str {
    const HAZ: [&str; 10] = [
        "all ships of this type",
        "Hazardous category A",
        "Hazardous category B",
        "Hazardous category C",
        "Hazardous category D",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "Reserved for future use",
        "No additional information",
    ];
    let d = usize::from(v % 10);
    match v {
        0 => "Not available",
        1..=19 => "Reserved for future use",
        20..=29 => [
            "Wing in ground (WIG) - all ships of this type",
            "Wing in ground (WIG) - Hazardous category A",
            "Wing in ground (WIG) - Hazardous category B",
            "Wing in ground (WIG) - Hazardous category C",
            "Wing in ground (WIG) - Hazardous category D",
            "Wing in ground (WIG) - Reserved for future use",
        ][d.min(5)],
        30 => "Fishing",
        31 => "Towing",
        32 => "Towing: length exceeds 200m or breadth exceeds 25m",
        33 => "Dredging or underwater ops",
        34 => "Diving ops",
        35 => "Military ops",
        36 => "Sailing",
        37 => "Pleasure Craft",
        38 | 39 => "Reserved",
        40..=49 => {
            const T: [&str; 10] = [
                "High speed craft (HSC) - all ships of this type",
                "High speed craft (HSC) - Hazardous category A",
                "High speed craft (HSC) - Hazardous category B",
                "High speed craft (HSC) - Hazardous category C",
                "High speed craft (HSC) - Hazardous category D",
                "High speed craft (HSC) - Reserved for future use",
                "High speed craft (HSC) - Reserved for future use",
                "High speed craft (HSC) - Reserved for future use",
                "High speed craft (HSC) - Reserved for future use",
                "High speed craft (HSC) - No additional information",
            ];
            T[d]
        }
        50 => "Pilot Vessel",
        51 => "Search and Rescue vessel",
        52 => "Tug",
        53 => "Port Tender",
        54 => "Anti-pollution equipment",
        55 => "Law Enforcement",
        56 | 57 => "Spare - Local Vessel",
        58 => "Medical Transport",
        59 => "Ship according to RR Resolution No. 18",
        60..=69 => PASSENGER[d],
        70..=79 => CARGO[d],
        80..=89 => TANKER[d],
        90..=98 => OTHER[d],
        99 => "Other Type - no additional information",
        _ => {
            let _ = HAZ;
            "INVALID SHIP TYPE"
        }
    }
}

macro_rules! legends {
    ($name:ident, $prefix:literal) => {
        const $name: [&str; 10] = [
            concat!($prefix, " - all ships of this type"),
            concat!($prefix, " - Hazardous category A"),
            concat!($prefix, " - Hazardous category B"),
            concat!($prefix, " - Hazardous category C"),
            concat!($prefix, " - Hazardous category D"),
            concat!($prefix, " - Reserved for future use"),
            concat!($prefix, " - Reserved for future use"),
            concat!($prefix, " - Reserved for future use"),
            concat!($prefix, " - Reserved for future use"),
            concat!($prefix, " - No additional information"),
        ];
    };
}
legends!(PASSENGER, "Passenger");
legends!(CARGO, "Cargo");
legends!(TANKER, "Tanker");
legends!(OTHER, "Other Type");

/// gpsd's EPFD (position fixing device) legend.
pub fn epfd_text(v: u8) -> &'static str {
    const T: [&str; 16] = [
        "Undefined",
        "GPS",
        "GLONASS",
        "Combined GPS/GLONASS",
        "Loran-C",
        "Chayka",
        "Integrated navigation system",
        "Surveyed",
        "Galileo",
        "Reserved (9)",
        "Reserved (10)",
        "Reserved (11)",
        "Reserved (12)",
        "Reserved (13)",
        "Reserved (14)",
        "Internal GNSS",
    ];
    T.get(usize::from(v)).copied().unwrap_or("INVALID EPFD")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ship_type_round_trips_every_code() {
        for v in 0..=255u8 {
            assert_eq!(ShipType::from_raw(v).raw(), v);
        }
        assert_eq!(
            ShipType::from_raw(70).text(),
            "Cargo - all ships of this type"
        );
        assert_eq!(ship_type_text(99), "Other Type - no additional information");
    }

    #[test]
    fn not_available_is_none() {
        assert_eq!(Lon::NOT_AVAILABLE.degrees(), None);
        assert_eq!(Lat::NOT_AVAILABLE.degrees(), None);
        assert_eq!(Speed(1023).knots(), None);
        assert_eq!(Course(3600).degrees(), None);
        assert_eq!(Heading(511).degrees(), None);
        assert_eq!(RateOfTurn(-128).degrees_per_minute(), None);
        assert_eq!(Speed(123).knots(), Some(12.3));
    }
}
