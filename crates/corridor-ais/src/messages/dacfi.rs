//! Decoders for DAC/FI application payloads of types 6 and 8.
//!
//! The raw application bits always stay in the message; [`decode`] turns the
//! known (DAC, FI) pairs into typed values. Layouts whose length is fixed are
//! only decoded at that length (as gpsd does), so a foreign payload that
//! reuses a DAC/FI is not mis-read.

use crate::bits::{Bits, sixbit_to_ascii};
use crate::gpsd_json::Obj;

/// Cursor over application bits (zeros past the end).
#[derive(Debug)]
pub struct Cursor<'a> {
    bits: &'a Bits,
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// At the start of `bits`.
    pub fn new(bits: &'a Bits) -> Self {
        Cursor { bits, pos: 0 }
    }
    /// Unsigned field.
    pub fn u(&mut self, n: u32) -> u32 {
        let v = self.bits.u(self.pos, n);
        self.pos += n as usize;
        v
    }
    /// Signed field.
    pub fn i(&mut self, n: u32) -> i32 {
        let n = n.clamp(1, 32);
        let v = self.u(n);
        ((v << (32 - n)) as i32) >> (32 - n)
    }
    /// Flag.
    pub fn b(&mut self) -> bool {
        self.u(1) != 0
    }
    /// Six-bit text of `chars` characters, gpsd-trimmed (stops at `@`, no trailing spaces).
    pub fn text(&mut self, chars: usize) -> String {
        let mut s = String::with_capacity(chars);
        let mut stopped = false;
        for _ in 0..chars {
            let c = sixbit_to_ascii(self.u(6) as u8);
            if c == b'@' {
                stopped = true;
            }
            if !stopped {
                s.push(c as char);
            }
        }
        s.truncate(s.trim_end_matches(' ').len());
        s
    }
}

/// IMO236 / IMO289 meteorological and hydrographic data (8/1/11 and 8/1/31),
/// raw values as transmitted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetHydro {
    /// Latitude (1/1000 minute).
    pub lat: i32,
    /// Longitude (1/1000 minute).
    pub lon: i32,
    /// Position accuracy (FI 31 only).
    pub accuracy: bool,
    /// Day of month.
    pub day: u8,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Average wind speed (knots).
    pub wspeed: u8,
    /// Gust speed (knots).
    pub wgust: u8,
    /// Wind direction (degrees).
    pub wdir: u16,
    /// Gust direction (degrees).
    pub wgustdir: u16,
    /// Air temperature (FI 11: +600 offset, unsigned; FI 31: signed, 0.1 °C).
    pub airtemp: i32,
    /// Relative humidity (%).
    pub humidity: u8,
    /// Dew point (FI 11: +200 offset; FI 31: signed, 0.1 °C).
    pub dewpoint: i32,
    /// Air pressure (FI 11: hPa − 800; FI 31: hPa − 799).
    pub pressure: u16,
    /// Pressure tendency (0 steady, 1 rising, 2 falling, 3 n/a).
    pub pressuretend: u8,
    /// Visibility greater than shown (FI 31 only).
    pub visgreater: bool,
    /// Horizontal visibility (0.1 NM).
    pub visibility: u8,
    /// Water level (FI 11: 0.1 m + 10 m offset; FI 31: 0.01 m + 10 m offset).
    pub waterlevel: i32,
    /// Water level trend.
    pub leveltrend: u8,
    /// Surface current speed (0.1 kn).
    pub cspeed: u8,
    /// Surface current direction.
    pub cdir: u16,
    /// Current 2 speed.
    pub cspeed2: u8,
    /// Current 2 direction.
    pub cdir2: u16,
    /// Current 2 depth (m).
    pub cdepth2: u8,
    /// Current 3 speed.
    pub cspeed3: u8,
    /// Current 3 direction.
    pub cdir3: u16,
    /// Current 3 depth (m).
    pub cdepth3: u8,
    /// Significant wave height (0.1 m).
    pub waveheight: u8,
    /// Wave period (s).
    pub waveperiod: u8,
    /// Wave direction.
    pub wavedir: u16,
    /// Swell height (0.1 m).
    pub swellheight: u8,
    /// Swell period (s).
    pub swellperiod: u8,
    /// Swell direction.
    pub swelldir: u16,
    /// Sea state (Beaufort).
    pub seastate: u8,
    /// Water temperature (FI 11: +100 offset; FI 31: signed, 0.1 °C).
    pub watertemp: i32,
    /// Precipitation type (WMO 306 table 4.201).
    pub preciptype: u8,
    /// Salinity (0.1 ‰).
    pub salinity: u16,
    /// Ice (0 no, 1 yes, 3 n/a).
    pub ice: u8,
}

/// Inland ship static and voyage related data (8/200/10).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InlandStatic {
    /// European vessel identification number.
    pub vin: String,
    /// Length (0.1 m).
    pub length: u16,
    /// Beam (0.1 m).
    pub beam: u16,
    /// ERI ship type.
    pub shiptype: u16,
    /// Hazardous cargo (blue cones).
    pub hazard: u8,
    /// Draught (0.01 m).
    pub draught: u16,
    /// Loaded / unloaded.
    pub loaded: u8,
    /// Speed quality.
    pub speed_q: bool,
    /// Course quality.
    pub course_q: bool,
    /// Heading quality.
    pub heading_q: bool,
}

/// GLA AtoN monitoring data (6/235/10, 6/250/10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AtonMonitoring {
    /// Internal analogue (0.05 V).
    pub ana_int: u16,
    /// External analogue 1 (0.05 V).
    pub ana_ext1: u16,
    /// External analogue 2 (0.05 V).
    pub ana_ext2: u16,
    /// RACON status.
    pub racon: u8,
    /// Light status.
    pub light: u8,
    /// Alarm flag.
    pub alarm: bool,
    /// Extended status bits.
    pub stat_ext: u8,
    /// Off position.
    pub off_pos: bool,
}

/// IMO236 dangerous cargo indication (6/1/12).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DangerousCargo {
    /// Last port of call (UN/LOCODE).
    pub lastport: String,
    /// Departure month, day, hour, minute.
    pub departure: [u8; 4],
    /// Next port of call.
    pub nextport: String,
    /// ETA month, day, hour, minute.
    pub eta: [u8; 4],
    /// Main dangerous good.
    pub dangerous: String,
    /// IMD category.
    pub imdcat: String,
    /// UN number.
    pub unid: u16,
    /// Amount of cargo.
    pub amount: u16,
    /// Unit of quantity.
    pub unit: u8,
}

/// One tidal window (6/1/14 and 6/1/32), raw values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tidal {
    /// Longitude (1/1000 minute in IMO289; as gpsd scales it).
    pub lon: i32,
    /// Latitude.
    pub lat: i32,
    /// From UTC hour.
    pub from_hour: u8,
    /// From UTC minute.
    pub from_min: u8,
    /// To UTC hour.
    pub to_hour: u8,
    /// To UTC minute.
    pub to_min: u8,
    /// Current direction (degrees).
    pub cdir: u16,
    /// Current speed (0.1 kn).
    pub cspeed: u8,
}

/// Tidal window (6/1/14 IMO236, 6/1/32 IMO289).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TidalWindow {
    /// Month.
    pub month: u8,
    /// Day.
    pub day: u8,
    /// Windows (up to 3).
    pub tidals: Vec<Tidal>,
}

/// IMO289 clearance time to enter port (6/1/18).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClearanceTime {
    /// Message linkage id.
    pub linkage: u16,
    /// Arrival month, day, hour, minute.
    pub arrival: [u8; 4],
    /// Port and berth name.
    pub portname: String,
    /// Destination (UN/LOCODE).
    pub destination: String,
    /// Longitude (1/1000 minute).
    pub lon: i32,
    /// Latitude (1/1000 minute).
    pub lat: i32,
}

/// A field value of a USCG environmental report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    /// Raw integer as transmitted (sign-extended where the field is signed).
    Int(i64),
    /// Six-bit text.
    Text(String),
}

/// One 112-bit sensor report of the USCG environmental message (8/367/33).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvReport {
    /// Report type (0 location, 1 station, 2 wind, 3 water level, 4 2-D
    /// current, 5 3-D current, 6 horizontal flow, 7 sea state, 8 salinity,
    /// 9 weather, 10 air gap, 11 wind v2, 12-15 reserved).
    pub report_type: u8,
    /// UTC day.
    pub day: u8,
    /// UTC hour.
    pub hour: u8,
    /// UTC minute.
    pub minute: u8,
    /// Site id.
    pub site_id: u8,
    /// Every field of the report body in transmission order, raw values.
    pub fields: Vec<(&'static str, EnvValue)>,
}

/// Body layouts of the 8/367/33 report types: (name, bits, signed); a
/// name starting with `$` is six-bit text. Source: USCG "Environmental
/// Message" specification (EM Version 3, 2015); every body is 85 bits.
const ENV_LAYOUTS: [&[(&str, u32, bool)]; 12] = [
    &[
        ("version", 6, false),
        ("lon", 28, true),
        ("lat", 27, true),
        ("precision", 3, false),
        ("altitude", 12, false),
        ("owner", 4, false),
        ("timeout", 3, false),
        ("spare", 2, false),
    ],
    &[("$name", 84, false), ("spare", 1, false)],
    &[
        ("wspeed", 7, false),
        ("wgust", 7, false),
        ("wdir", 9, false),
        ("wgustdir", 9, false),
        ("sensor_type", 3, false),
        ("wspeed_forecast", 7, false),
        ("wgust_forecast", 7, false),
        ("wdir_forecast", 9, false),
        ("day_forecast", 5, false),
        ("hour_forecast", 5, false),
        ("minute_forecast", 6, false),
        ("duration", 8, false),
        ("spare", 3, false),
    ],
    &[
        ("wltype", 1, false),
        ("level", 16, true),
        ("trend", 2, false),
        ("vdatum", 5, false),
        ("sensor_type", 3, false),
        ("forecast_type", 1, false),
        ("level_forecast", 16, true),
        ("day_forecast", 5, false),
        ("hour_forecast", 5, false),
        ("minute_forecast", 6, false),
        ("duration", 8, false),
        ("spare", 17, false),
    ],
    &[
        ("cspeed1", 8, false),
        ("cdir1", 9, false),
        ("cdepth1", 9, false),
        ("cspeed2", 8, false),
        ("cdir2", 9, false),
        ("cdepth2", 9, false),
        ("cspeed3", 8, false),
        ("cdir3", 9, false),
        ("cdepth3", 9, false),
        ("sensor_type", 3, false),
        ("spare", 4, false),
    ],
    &[
        ("north1", 9, false),
        ("east1", 9, false),
        ("up1", 9, false),
        ("depth1", 9, false),
        ("north2", 9, false),
        ("east2", 9, false),
        ("up2", 9, false),
        ("depth2", 9, false),
        ("sensor_type", 3, false),
        ("spare", 10, false),
    ],
    &[
        ("bearing", 9, false),
        ("dist1", 9, false),
        ("speed1", 8, false),
        ("dir1", 9, false),
        ("level1", 9, false),
        ("dist2", 9, false),
        ("speed2", 8, false),
        ("dir2", 9, false),
        ("level2", 9, false),
        ("sensor_type", 3, false),
        ("spare", 3, false),
    ],
    &[
        ("swellheight", 8, false),
        ("swellperiod", 6, false),
        ("swelldir", 9, false),
        ("seastate", 4, false),
        ("swell_sensor", 3, false),
        ("watertemp", 10, true),
        ("watertemp_depth", 7, false),
        ("water_sensor", 3, false),
        ("waveheight", 8, false),
        ("waveperiod", 6, false),
        ("wavedir", 9, false),
        ("wave_sensor", 3, false),
        ("salinity", 9, false),
    ],
    &[
        ("watertemp", 10, false),
        ("conductivity", 10, false),
        ("pressure", 16, false),
        ("salinity", 9, false),
        ("salinity_type", 2, false),
        ("sensor_type", 3, false),
        ("spare", 32, false),
        ("spare2", 3, false),
    ],
    &[
        ("airtemp", 11, true),
        ("airtemp_sensor", 3, false),
        ("precipitation", 2, false),
        ("visibility", 8, false),
        ("dewpoint", 10, false),
        ("dewpoint_sensor", 3, false),
        ("pressure", 9, false),
        ("pressure_trend", 2, false),
        ("pressure_sensor", 3, false),
        ("salinity", 9, false),
        ("spare", 25, false),
    ],
    &[
        ("draught", 13, false),
        ("airgap", 13, false),
        ("trend", 2, false),
        ("airgap_forecast", 13, false),
        ("day_forecast", 5, false),
        ("hour_forecast", 5, false),
        ("minute_forecast", 6, false),
        ("sensor_type", 3, false),
        ("spare", 25, false),
    ],
    &[
        ("wspeed", 7, false),
        ("wgust", 7, false),
        ("wdir", 9, false),
        ("averaging_time", 6, false),
        ("sensor_type", 3, false),
        ("wspeed_forecast", 7, false),
        ("wgust_forecast", 7, false),
        ("wdir_forecast", 9, false),
        ("hour_forecast", 5, false),
        ("minute_forecast", 6, false),
        ("duration", 8, false),
        ("spare", 11, false),
    ],
];

fn env_reports(data: &Bits) -> Vec<EnvReport> {
    let mut out = Vec::new();
    let mut c = Cursor::new(data);
    for _ in 0..(data.len() / 112).min(8) {
        let report_type = c.u(4) as u8;
        let (day, hour, minute, site_id) = (c.u(5) as u8, c.u(5) as u8, c.u(6) as u8, c.u(7) as u8);
        let mut fields = Vec::new();
        match ENV_LAYOUTS.get(usize::from(report_type)) {
            Some(layout) => {
                for &(name, bits, signed) in *layout {
                    if let Some(text) = name.strip_prefix('$') {
                        fields.push((text, EnvValue::Text(c.text((bits / 6) as usize))));
                    } else {
                        let v = if signed {
                            i64::from(c.i(bits))
                        } else {
                            i64::from(c.u(bits))
                        };
                        fields.push((name, EnvValue::Int(v)));
                    }
                }
            }
            None => {
                // Reserved report types: keep the body as three raw chunks.
                for (name, bits) in [("raw0", 32), ("raw1", 32), ("raw2", 21)] {
                    fields.push((name, EnvValue::Int(i64::from(c.u(bits)))));
                }
            }
        }
        out.push(EnvReport {
            report_type,
            day,
            hour,
            minute,
            site_id,
            fields,
        });
    }
    out
}

/// A decoded DAC/FI application payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Application {
    /// 6/200/55: number of persons on board (inland).
    PersonsOnBoard {
        /// Crew.
        crew: u8,
        /// Passengers.
        passengers: u16,
        /// Shipboard personnel.
        personnel: u8,
    },
    /// 6/235/10 or 6/250/10.
    AtonMonitoring(AtonMonitoring),
    /// 8/1/11 (IMO236).
    MetHydro11(MetHydro),
    /// 8/1/31 (IMO289).
    MetHydro31(MetHydro),
    /// 8/200/10.
    InlandStatic(InlandStatic),
    /// 6/1/30 and 8/1/29: text description.
    Text {
        /// Message linkage id.
        linkage: u16,
        /// Text.
        text: String,
    },
    /// 6/1/12.
    DangerousCargo(DangerousCargo),
    /// 6/1/14 (IMO236).
    TidalWindow14(TidalWindow),
    /// 6/1/32 (IMO289).
    TidalWindow32(TidalWindow),
    /// 6/1/18.
    ClearanceTime(ClearanceTime),
    /// 8/367/33: USCG environmental message (gpsd prints it as `data`).
    Environmental(Vec<EnvReport>),
    /// A pair this crate does not decode.
    Other,
}

/// Decode the application payload of a type 6 (`msg_type` 6) or 8 message.
pub fn decode(msg_type: u8, dac: u16, fid: u8, data: &Bits) -> Option<Application> {
    let n = data.len();
    let mut c = Cursor::new(data);
    Some(match (msg_type, dac, fid) {
        (6, 200, 55) if n == 80 => Application::PersonsOnBoard {
            crew: c.u(8) as u8,
            passengers: c.u(13) as u16,
            personnel: c.u(8) as u8,
        },
        (6, 235 | 250, 10) if n == 48 => Application::AtonMonitoring(AtonMonitoring {
            ana_int: c.u(10) as u16,
            ana_ext1: c.u(10) as u16,
            ana_ext2: c.u(10) as u16,
            racon: c.u(2) as u8,
            light: c.u(2) as u8,
            alarm: c.b(),
            stat_ext: c.u(8) as u8,
            off_pos: c.b(),
        }),
        (8, 1, 11) if (290..=296).contains(&n) => Application::MetHydro11(met_hydro(&mut c, false)),
        (8, 1, 31) if n >= 294 => Application::MetHydro31(met_hydro(&mut c, true)),
        (8, 200, 10) if n == 112 => {
            let vin = c.text(8);
            let s = InlandStatic {
                vin,
                length: c.u(13) as u16,
                beam: c.u(10) as u16,
                shiptype: c.u(14) as u16,
                hazard: c.u(3) as u8,
                draught: c.u(11) as u16,
                loaded: c.u(2) as u8,
                speed_q: c.b(),
                course_q: c.b(),
                heading_q: c.b(),
            };
            // gpsd's guard against foreign payloads reusing 200/10.
            if s.hazard > 5 {
                return Some(Application::Other);
            }
            Application::InlandStatic(s)
        }
        (8, 367, 33) if n >= 112 => Application::Environmental(env_reports(data)),
        (6, 1, 12) => {
            let lastport = c.text(5);
            let departure = [c.u(4) as u8, c.u(5) as u8, c.u(5) as u8, c.u(6) as u8];
            let nextport = c.text(5);
            let eta = [c.u(4) as u8, c.u(5) as u8, c.u(5) as u8, c.u(6) as u8];
            Application::DangerousCargo(DangerousCargo {
                lastport,
                departure,
                nextport,
                eta,
                dangerous: c.text(20),
                imdcat: c.text(4),
                unid: c.u(13) as u16,
                amount: c.u(10) as u16,
                unit: c.u(2) as u8,
            })
        }
        (6, 1, 14) | (6, 1, 32) => {
            let imo236 = fid == 14;
            let month = c.u(4) as u8;
            let day = c.u(5) as u8;
            let size = if imo236 { 93 } else { 88 };
            let mut tidals = Vec::new();
            // Like gpsd: a window is read when it starts inside the payload (at most 3).
            while tidals.len() < 3 && 9 + size * tidals.len() <= n {
                let (lat, lon) = if imo236 {
                    let lat = c.i(27);
                    (lat, c.i(28))
                } else {
                    let lon = c.i(25);
                    (c.i(24), lon)
                };
                tidals.push(Tidal {
                    lon,
                    lat,
                    from_hour: c.u(5) as u8,
                    from_min: c.u(6) as u8,
                    to_hour: c.u(5) as u8,
                    to_min: c.u(6) as u8,
                    cdir: c.u(9) as u16,
                    cspeed: c.u(if imo236 { 7 } else { 8 }) as u8,
                });
            }
            let w = TidalWindow { month, day, tidals };
            if imo236 {
                Application::TidalWindow14(w)
            } else {
                Application::TidalWindow32(w)
            }
        }
        (6, 1, 18) => {
            let linkage = c.u(10) as u16;
            let arrival = [c.u(4) as u8, c.u(5) as u8, c.u(5) as u8, c.u(6) as u8];
            let portname = c.text(20);
            let destination = c.text(5);
            let lon = c.i(25);
            let lat = c.i(24);
            Application::ClearanceTime(ClearanceTime {
                linkage,
                arrival,
                portname,
                destination,
                lon,
                lat,
            })
        }
        (6, 1, 30) | (8, 1, 29) => {
            let linkage = c.u(10) as u16;
            let chars = n.saturating_sub(10) / 6;
            Application::Text {
                linkage,
                text: c.text(chars),
            }
        }
        _ => Application::Other,
    })
}

fn met_hydro(c: &mut Cursor<'_>, imo289: bool) -> MetHydro {
    let mut m = MetHydro::default();
    if imo289 {
        m.lon = c.i(25);
        m.lat = c.i(24);
        m.accuracy = c.b();
    } else {
        m.lat = c.i(24);
        m.lon = c.i(25);
    }
    m.day = c.u(5) as u8;
    m.hour = c.u(5) as u8;
    m.minute = c.u(6) as u8;
    m.wspeed = c.u(7) as u8;
    m.wgust = c.u(7) as u8;
    m.wdir = c.u(9) as u16;
    m.wgustdir = c.u(9) as u16;
    m.airtemp = if imo289 { c.i(11) } else { c.u(11) as i32 };
    m.humidity = c.u(7) as u8;
    m.dewpoint = if imo289 { c.i(10) } else { c.u(10) as i32 };
    m.pressure = c.u(9) as u16;
    m.pressuretend = c.u(2) as u8;
    if imo289 {
        m.visgreater = c.b();
        m.visibility = c.u(7) as u8;
        m.waterlevel = c.u(12) as i32;
    } else {
        m.visibility = c.u(8) as u8;
        m.waterlevel = c.u(9) as i32;
    }
    m.leveltrend = c.u(2) as u8;
    m.cspeed = c.u(8) as u8;
    m.cdir = c.u(9) as u16;
    m.cspeed2 = c.u(8) as u8;
    m.cdir2 = c.u(9) as u16;
    m.cdepth2 = c.u(5) as u8;
    m.cspeed3 = c.u(8) as u8;
    m.cdir3 = c.u(9) as u16;
    m.cdepth3 = c.u(5) as u8;
    m.waveheight = c.u(8) as u8;
    m.waveperiod = c.u(6) as u8;
    m.wavedir = c.u(9) as u16;
    m.swellheight = c.u(8) as u8;
    m.swellperiod = c.u(6) as u8;
    m.swelldir = c.u(9) as u16;
    m.seastate = c.u(4) as u8;
    m.watertemp = if imo289 { c.i(10) } else { c.u(10) as i32 };
    m.preciptype = c.u(3) as u8;
    m.salinity = c.u(9) as u16;
    m.ice = c.u(2) as u8;
    m
}

const TRENDS: [&str; 4] = ["steady", "increasing", "decreasing", "N/A"];
const PRECIP: [&str; 8] = [
    "reserved",
    "rain",
    "thunderstorm",
    "freezing rain",
    "mixed/ice",
    "snow",
    "reserved",
    "N/A",
];
const ICE: [&str; 4] = ["no", "yes", "reserved", "N/A"];

/// ERI (inland) ship type legend, as gpsd prints it.
pub fn eri_ship_type_text(code: u16) -> &'static str {
    const T: [(u16, u16, &str); 47] = [
        (8000, 99, "Vessel, type unknown"),
        (8010, 79, "Motor freighter"),
        (8020, 89, "Motor tanker"),
        (8021, 80, "Motor tanker, liquid cargo, type N"),
        (8022, 80, "Motor tanker, liquid cargo, type C"),
        (
            8023,
            89,
            "Motor tanker, dry cargo as if liquid (e.g. cement)",
        ),
        (8030, 79, "Container vessel"),
        (8040, 80, "Gas tanker"),
        (8050, 79, "Motor freighter, tug"),
        (8060, 89, "Motor tanker, tug"),
        (8070, 79, "Motor freighter with one or more ships alongside"),
        (8080, 89, "Motor freighter with tanker"),
        (8090, 79, "Motor freighter pushing one or more freighters"),
        (8100, 89, "Motor freighter pushing at least one tank-ship"),
        (8110, 79, "Tug, freighter"),
        (8120, 89, "Tug, tanker"),
        (8130, 31, "Tug freighter, coupled"),
        (8140, 31, "Tug, freighter/tanker, coupled"),
        (8150, 99, "Freightbarge"),
        (8160, 99, "Tankbarge"),
        (8161, 90, "Tankbarge, liquid cargo, type N"),
        (8162, 90, "Tankbarge, liquid cargo, type C"),
        (8163, 99, "Tankbarge, dry cargo as if liquid (e.g. cement)"),
        (8170, 99, "Freightbarge with containers"),
        (8180, 90, "Tankbarge, gas"),
        (8210, 79, "Pushtow, one cargo barge"),
        (8220, 79, "Pushtow, two cargo barges"),
        (8230, 79, "Pushtow, three cargo barges"),
        (8240, 79, "Pushtow, four cargo barges"),
        (8250, 79, "Pushtow, five cargo barges"),
        (8260, 79, "Pushtow, six cargo barges"),
        (8270, 79, "Pushtow, seven cargo barges"),
        (8280, 79, "Pushtow, eight cargo barges"),
        (8290, 79, "Pushtow, nine or more barges"),
        (8310, 80, "Pushtow, one tank/gas barge"),
        (
            8320,
            80,
            "Pushtow, two barges at least one tanker or gas barge",
        ),
        (
            8330,
            80,
            "Pushtow, three barges at least one tanker or gas barge",
        ),
        (
            8340,
            80,
            "Pushtow, four barges at least one tanker or gas barge",
        ),
        (
            8350,
            80,
            "Pushtow, five barges at least one tanker or gas barge",
        ),
        (
            8360,
            80,
            "Pushtow, six barges at least one tanker or gas barge",
        ),
        (
            8370,
            80,
            "Pushtow, seven barges at least one tanker or gas barg",
        ),
        (
            8380,
            80,
            "Pushtow, eight barges at least one tanker or gas barge",
        ),
        (
            8390,
            80,
            "Pushtow, nine or more barges at least one tanker or gas barge",
        ),
        (8400, 52, "Tug, single"),
        (8410, 52, "Tug, one or more tugs"),
        (8420, 52, "Tug, assisting a vessel or linked combination"),
        (8430, 36, "Pushboat, single"),
    ];
    // gpsd matches the ERI code or its AIS equivalent, first hit wins; its
    // table stops at 8370.
    T.iter()
        .take(41)
        .find(|(eri, ais, _)| *eri == code || *ais == code)
        .map_or("Illegal ship type value.", |t| t.2)
}

/// Write the decoded fields the way gpsd does (after `dac`/`fid`).
pub(crate) fn write_json(app: &Application, scaled: bool, o: &mut Obj<'_>) {
    match app {
        Application::PersonsOnBoard {
            crew,
            passengers,
            personnel,
        } => {
            o.u("crew", *crew);
            o.u("passengers", *passengers);
            o.u("personnel", *personnel);
        }
        Application::AtonMonitoring(a) => {
            o.b("off_pos", a.off_pos);
            o.b("alarm", a.alarm);
            o.u("stat_ext", a.stat_ext);
            for (k, v) in [
                ("ana_int", a.ana_int),
                ("ana_ext1", a.ana_ext1),
                ("ana_ext2", a.ana_ext2),
            ] {
                if scaled && v != 0 {
                    o.f(k, f64::from(v) * 0.05, 2);
                } else {
                    o.u(k, v);
                }
            }
            const RACON: [&str; 4] = [
                "No RACON installed",
                "RACON not monitored",
                "RACON operational",
                "RACON ERROR",
            ];
            const LIGHT: [&str; 4] = [
                "No light or no monitoring",
                "Light ON",
                "Light OFF",
                "Light ERROR",
            ];
            o.u("racon", a.racon);
            o.s("racon_text", RACON[usize::from(a.racon & 3)]);
            o.u("light", a.light);
            o.s("light_text", LIGHT[usize::from(a.light & 3)]);
        }
        Application::MetHydro11(m) | Application::MetHydro31(m) => {
            let imo289 = matches!(app, Application::MetHydro31(_));
            if scaled {
                o.f("lat", f64::from(m.lat) / 60_000.0, 6);
                o.f("lon", f64::from(m.lon) / 60_000.0, 6);
            } else {
                o.i("lat", m.lat);
                o.i("lon", m.lon);
            }
            if imo289 {
                o.b("accuracy", m.accuracy);
            }
            o.s(
                "timestamp",
                &format!("{:02}T{:02}:{:02}Z", m.day, m.hour, m.minute),
            );
            o.u("wspeed", m.wspeed);
            o.u("wgust", m.wgust);
            o.u("wdir", m.wdir);
            o.u("wgustdir", m.wgustdir);
            o.u("humidity", m.humidity);
            if scaled {
                let (at, dp, pr, wl) = if imo289 {
                    (
                        f64::from(m.airtemp) / 10.0,
                        f64::from(m.dewpoint) / 10.0,
                        u32::from(m.pressure) + 799,
                        f64::from(m.waterlevel - 1000) / 100.0,
                    )
                } else {
                    (
                        f64::from(m.airtemp - 600) / 10.0,
                        f64::from(m.dewpoint - 200) / 10.0,
                        u32::from(m.pressure) + 800,
                        f64::from(m.waterlevel - 100) / 10.0,
                    )
                };
                o.f("airtemp", at, 1);
                o.f("dewpoint", dp, 1);
                o.u("pressure", pr);
                o.s("pressuretend", TRENDS[usize::from(m.pressuretend & 3)]);
                if imo289 {
                    o.b("visgreater", m.visgreater);
                }
                o.f("visibility", f64::from(m.visibility) / 10.0, 1);
                o.f("waterlevel", wl, 1);
                o.s("leveltrend", TRENDS[usize::from(m.leveltrend & 3)]);
            } else {
                o.i("airtemp", m.airtemp);
                o.i("dewpoint", m.dewpoint);
                o.u("pressure", m.pressure);
                o.u("pressuretend", m.pressuretend);
                if imo289 {
                    o.b("visgreater", m.visgreater);
                }
                o.u("visibility", m.visibility);
                o.i("waterlevel", m.waterlevel);
                o.u("leveltrend", m.leveltrend);
            }
            let tenth = |o: &mut Obj<'_>, k: &str, v: u16| {
                if scaled {
                    o.f(k, f64::from(v) / 10.0, 1);
                } else {
                    o.u(k, v);
                }
            };
            tenth(o, "cspeed", m.cspeed.into());
            o.u("cdir", m.cdir);
            tenth(o, "cspeed2", m.cspeed2.into());
            o.u("cdir2", m.cdir2);
            o.u("cdepth2", m.cdepth2);
            tenth(o, "cspeed3", m.cspeed3.into());
            o.u("cdir3", m.cdir3);
            o.u("cdepth3", m.cdepth3);
            tenth(o, "waveheight", m.waveheight.into());
            o.u("waveperiod", m.waveperiod);
            o.u("wavedir", m.wavedir);
            tenth(o, "swellheight", m.swellheight.into());
            o.u("swellperiod", m.swellperiod);
            o.u("swelldir", m.swelldir);
            o.u("seastate", m.seastate);
            if scaled {
                let wt = if imo289 {
                    f64::from(m.watertemp) / 10.0
                } else {
                    f64::from(m.watertemp - 100) / 10.0
                };
                o.f("watertemp", wt, 1);
            } else {
                o.i("watertemp", m.watertemp);
            }
            let precip = PRECIP[usize::from(m.preciptype & 7)];
            let ice = ICE[usize::from(m.ice & 3)];
            if imo289 {
                if scaled {
                    o.s("preciptype", precip);
                    o.f("salinity", f64::from(m.salinity) / 10.0, 1);
                    o.s("ice", ice);
                } else {
                    o.u("preciptype", m.preciptype);
                    o.u("salinity", m.salinity);
                    o.u("ice", m.ice);
                }
            } else {
                o.u("preciptype", m.preciptype);
                o.s("preciptype_text", precip);
                tenth(o, "salinity", m.salinity);
                o.u("ice", m.ice);
                o.s("ice_text", ice);
            }
        }
        Application::InlandStatic(s) => {
            const HAZ: [&str; 6] = [
                "0 blue cones/lights",
                "1 blue cone/light",
                "2 blue cones/lights",
                "3 blue cones/lights",
                "4 B-Flag",
                "Unknown",
            ];
            const LOADED: [&str; 3] = ["N/A (default)", "Unloaded", "Loaded"];
            o.s("vin", &s.vin);
            o.u("length", s.length);
            o.u("beam", s.beam);
            o.u("shiptype", s.shiptype);
            o.s("shiptype_text", eri_ship_type_text(s.shiptype));
            o.u("hazard", s.hazard);
            o.s(
                "hazard_text",
                HAZ.get(usize::from(s.hazard))
                    .copied()
                    .unwrap_or("INVALID HAZARD TYPE"),
            );
            o.u("draught", s.draught);
            o.u("loaded", s.loaded);
            o.s(
                "loaded_text",
                LOADED
                    .get(usize::from(s.loaded))
                    .copied()
                    .unwrap_or("INVALID LOAD STATUS"),
            );
            o.b("speed_q", s.speed_q);
            o.b("course_q", s.course_q);
            o.b("heading_q", s.heading_q);
        }
        Application::Text { linkage, text } => {
            o.u("linkage", *linkage);
            o.s("text", text);
        }
        Application::DangerousCargo(d) => {
            let when = |t: &[u8; 4]| format!("{:02}-{:02}T{:02}:{:02}Z", t[0], t[1], t[2], t[3]);
            o.s("lastport", &d.lastport);
            o.s("departure", &when(&d.departure));
            o.s("nextport", &d.nextport);
            o.s("eta", &when(&d.eta));
            o.s("dangerous", &d.dangerous);
            o.s("imdcat", &d.imdcat);
            o.u("unid", d.unid);
            o.u("amount", d.amount);
            o.u("unit", d.unit);
        }
        Application::TidalWindow14(w) | Application::TidalWindow32(w) => {
            o.u("month", w.month);
            o.u("day", w.day);
            o.array("tidals", |out| {
                for t in &w.tidals {
                    let mut e = Obj::new(out);
                    if scaled {
                        e.f("lon", f64::from(t.lon) / 60_000.0, 6);
                        e.f("lat", f64::from(t.lat) / 60_000.0, 6);
                    } else {
                        e.i("lon", t.lon);
                        e.i("lat", t.lat);
                    }
                    e.u("from_hour", t.from_hour);
                    e.u("from_min", t.from_min);
                    e.u("to_hour", t.to_hour);
                    e.u("to_min", t.to_min);
                    e.u("cdir", t.cdir);
                    if scaled {
                        e.f("cspeed", f64::from(t.cspeed) / 10.0, 1);
                    } else {
                        e.u("cspeed", t.cspeed);
                    }
                    e.close();
                    out.push(b',');
                }
                if out.last() == Some(&b',') {
                    out.pop();
                }
            });
        }
        Application::ClearanceTime(t) => {
            let a = t.arrival;
            o.u("linkage", t.linkage);
            o.s(
                "arrival",
                &format!("{:02}-{:02}T{:02}:{:02}Z", a[0], a[1], a[2], a[3]),
            );
            o.s("portname", &t.portname);
            o.s("destination", &t.destination);
            if scaled {
                o.f("lon", f64::from(t.lon) / 60_000.0, 6);
                o.f("lat", f64::from(t.lat) / 60_000.0, 6);
            } else {
                o.i("lon", t.lon);
                o.i("lat", t.lat);
            }
        }
        Application::Environmental(_) | Application::Other => {}
    }
}
