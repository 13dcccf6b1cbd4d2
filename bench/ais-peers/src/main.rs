//! One-run AIS decoder throughput comparison (see README.md).
//!
//! Inputs, built in memory at start (nothing committed):
//! * `real`: shared/data/ais/derived/real_combined.nmea repeated to ≥ 1,000,000 sentences;
//! * `synthetic`: 1,000,000 sentences from corridor-ais's encoder at a realistic type mix;
//! * `synthetic+tags`: the same messages, each sentence behind an NMEA 4.10 tag block.
//!
//! Every decoder gets the same pre-split lines and counts the messages it
//! produced; the best of `ROUNDS` runs is kept. Python peers (pyais, libais)
//! and gpsd's gpsdecode are run by peers.py on the same files, written to
//! `data/`. Usage: `cargo run --release [-- --no-python] [--rounds N]
//! [--only DECODER-PREFIX] [--input real|synthetic|synthetic+tags]`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use corridor_ais::encode::{EncodeOptions, TagBlockSpec, encode};
use corridor_ais::messages::fields::{Course, Heading, Lat, Lon, NavStatus, RateOfTurn, ShipType, Speed};
use corridor_ais::messages::position::{BaseStationReport, ClassBPositionReport, PositionReport};
use corridor_ais::messages::static_data::{StaticDataReport, StaticVoyageData};
use corridor_ais::bits::AisText;
use corridor_ais::{Body, Decoder, Message};

const TARGET: usize = 1_000_000;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ais")
}

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A message of the mix seen in real_combined.nmea: ~72 % Class A position,
/// 10 % Class B, 7 % type 5 (two sentences), 6 % base station, 5 % type 24.
fn synthetic_message(r: &mut Rng, i: u64) -> Message {
    let mmsi = 200_000_000 + (r.below(50_000) as u32) * 7;
    let pick = r.below(100);
    let lon = Lon::from_degrees(28.0 + (r.below(60_000) as f64) / 10_000.0);
    let lat = Lat::from_degrees(41.0 + (r.below(50_000) as f64) / 10_000.0);
    let body = if pick < 72 {
        Body::Position(PositionReport {
            status: NavStatus::from_raw((r.below(9)) as u8),
            turn: RateOfTurn(r.below(20) as i8 - 10),
            speed: Speed(r.below(200) as u16),
            accuracy: r.below(2) == 1,
            lon,
            lat,
            course: Course(r.below(3600) as u16),
            heading: Heading(r.below(360) as u16),
            second: (i % 60) as u8,
            radio: r.below(1 << 19) as u32,
            ..PositionReport::default()
        })
    } else if pick < 82 {
        Body::ClassB(ClassBPositionReport {
            speed: Speed(r.below(150) as u16),
            lon,
            lat,
            course: Course(r.below(3600) as u16),
            heading: Heading(511),
            second: (i % 60) as u8,
            cs: true,
            radio: 917_510,
            ..ClassBPositionReport::default()
        })
    } else if pick < 89 {
        Body::StaticVoyage(StaticVoyageData {
            imo: 9_000_000 + r.below(999_999) as u32,
            callsign: AisText::new("UBXY7"),
            shipname: AisText::new("BLACK SEA GRAIN"),
            shiptype: ShipType::Cargo(r.below(10) as u8),
            to_bow: 120,
            to_stern: 40,
            to_port: 12,
            to_starboard: 14,
            epfd: 1,
            month: 7,
            day: 14,
            hour: 12,
            minute: 30,
            draught: 95,
            destination: AisText::new("ODESA"),
            ..StaticVoyageData::default()
        })
    } else if pick < 95 {
        Body::BaseStation(BaseStationReport {
            year: 2023,
            month: 6,
            day: 14,
            hour: 12,
            minute: (i % 60) as u8,
            second: 0,
            lon,
            lat,
            epfd: 7,
            ..BaseStationReport::default()
        })
    } else {
        Body::StaticData(StaticDataReport::A { shipname: AisText::new("SEA BREEZE"), spare: Some(0) })
    };
    Message::new(mmsi, body)
}

fn synthetic(with_tags: bool) -> Vec<String> {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::with_capacity(TARGET + 8);
    let mut i = 0u64;
    while out.len() < TARGET {
        let m = synthetic_message(&mut r, i);
        let opts = EncodeOptions {
            channel: Some(if i % 2 == 0 { b'A' } else { b'B' }),
            seq_id: Some((i % 10) as u8),
            tag_block: with_tags.then(|| TagBlockSpec {
                source: Some(format!("r{}", i % 7)),
                time: Some(1_700_000_000 + (i / 10) as i64),
                group_id: Some((i % 10_000) as u32),
            }),
            ..EncodeOptions::default()
        };
        // Do not split a multi-sentence message at the end.
        let lines = encode(&m, &opts).expect("encodable");
        if out.len() + lines.len() > TARGET && out.len() >= TARGET - 1 {
            break;
        }
        out.extend(lines);
        i += 1;
    }
    out
}

fn real() -> Vec<String> {
    let text = std::fs::read_to_string(shared().join("derived/real_combined.nmea")).expect("real_combined.nmea");
    let base: Vec<String> = text.lines().map(str::to_string).collect();
    let sentences = base.iter().filter(|l| l.contains("VDM") || l.contains("VDO")).count().max(1);
    let reps = TARGET.div_ceil(sentences);
    let mut out = Vec::with_capacity(base.len() * reps);
    for _ in 0..reps {
        out.extend(base.iter().cloned());
    }
    out
}

type Run = fn(&[String]) -> usize;

fn run_corridor(lines: &[String]) -> usize {
    let mut d = Decoder::default();
    let mut n = 0;
    for l in lines {
        let _ = guarded(|| d.feed_line(l.as_bytes(), |_| n += 1));
    }
    n
}

// Peers panic on some real sentences (nmea-parser on short type 26, …):
// each line runs under catch_unwind, which costs nothing when nothing panics.
static PANICS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(_) => {
            PANICS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            None
        }
    }
}

fn run_ais(lines: &[String]) -> usize {
    let mut p = ais::AisParser::new();
    let mut n = 0;
    for l in lines {
        let ok = guarded(|| matches!(p.parse(l.as_bytes(), true), Ok(ais::AisFragments::Complete(s)) if s.message.is_some()));
        n += usize::from(ok == Some(true));
    }
    n
}

fn run_nmea_parser(lines: &[String]) -> usize {
    let mut p = nmea_parser::NmeaParser::new();
    let mut n = 0;
    for l in lines {
        let ok = guarded(|| !matches!(p.parse_sentence(l), Ok(nmea_parser::ParsedMessage::Incomplete) | Err(_)));
        n += usize::from(ok == Some(true));
    }
    n
}

fn run_aivdm(lines: &[String]) -> usize {
    let mut d = aivdm::LineDecoder::<1024>::new();
    let mut n = 0;
    for l in lines {
        let ok = guarded(|| matches!(d.feed(l), Ok(Some(_))));
        n += usize::from(ok == Some(true));
    }
    n
}

fn run_nmea_kit(lines: &[String]) -> usize {
    let mut p = nmea_kit::ais::AisParser::new();
    let mut n = 0;
    for l in lines {
        let ok = guarded(|| nmea_kit::parse_frame(l).is_ok_and(|f| p.decode(&f).is_some()));
        n += usize::from(ok == Some(true));
    }
    n
}

/// Best-of-`rounds` messages per second.
fn measure(f: Run, lines: &[String], rounds: usize) -> (usize, f64) {
    let mut best = f64::MAX;
    let mut n = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        n = std::hint::black_box(f(std::hint::black_box(lines)));
        best = best.min(t.elapsed().as_secs_f64());
    }
    (n, n as f64 / best)
}

/// Two independent sources decoded on two threads: aggregate messages/s.
fn measure_two_threads(lines: &[String], rounds: usize) -> f64 {
    let mut best = f64::MAX;
    let mut total = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        total = std::thread::scope(|s| {
            let a = s.spawn(|| run_corridor(lines));
            let b = s.spawn(|| run_corridor(lines));
            a.join().unwrap_or(0) + b.join().unwrap_or(0)
        });
        best = best.min(t.elapsed().as_secs_f64());
    }
    total as f64 / best
}

fn write_lines(path: &Path, lines: &[String]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create data file"));
    for l in lines {
        writeln!(f, "{l}").expect("write");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let python = !args.iter().any(|a| a == "--no-python");
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    // `--decode-file PATH`: decode one file with corridor-ais only and exit
    // (for instruction-count profiling under callgrind on a noisy machine).
    if let Some(path) = args.iter().position(|a| a == "--decode-file").and_then(|i| args.get(i + 1)) {
        let text = std::fs::read_to_string(path).expect("input file");
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        // `--decoder NAME` picks another decoder; "none" only loads the lines
        // (the baseline to subtract when counting instructions).
        let which = args.iter().position(|a| a == "--decoder").and_then(|i| args.get(i + 1)).map_or("corridor", String::as_str);
        let f: Run = match which {
            "none" => |_| 0,
            "ais" => run_ais,
            "nmea-parser" => run_nmea_parser,
            "aivdm" => run_aivdm,
            "nmea-kit" => run_nmea_kit,
            _ => run_corridor,
        };
        std::panic::set_hook(Box::new(|_| {}));
        println!("{which}: {} messages", f(&lines));
        return;
    }
    std::panic::set_hook(Box::new(|_| {}));
    let inputs = [("real", real()), ("synthetic", synthetic(false)), ("synthetic+tags", synthetic(true))];
    let peers: [(&str, Run); 5] = [
        ("corridor-ais", run_corridor),
        ("ais 0.12", run_ais),
        ("nmea-parser 0.11", run_nmea_parser),
        ("aivdm 0.3", run_aivdm),
        ("nmea-kit 0.8", run_nmea_kit),
    ];
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let mut ours_by_input = Vec::new();
    let input_filter = args.iter().position(|a| a == "--input").and_then(|i| args.get(i + 1));
    for (name, lines) in &inputs {
        if input_filter.is_some_and(|f| f != name) {
            continue;
        }
        println!("\n## {name}: {} lines", lines.len());
        println!("{:<32} {:>10} {:>14} {:>10}", "decoder", "messages", "msg/s", "ours/x");
        let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1));
        let chosen: Vec<(&str, Run)> =
            peers.iter().copied().filter(|(p, _)| only.is_none_or(|o| p.starts_with(o.as_str()))).collect();
        // Rounds are interleaved across decoders so that load from other
        // processes on this shared machine hits them alike; best round kept.
        let mut best = vec![(0usize, 0f64, 0usize); chosen.len()];
        for _ in 0..rounds {
            for (k, (_, f)) in chosen.iter().enumerate() {
                PANICS.store(0, std::sync::atomic::Ordering::Relaxed);
                let (n, rate) = measure(*f, lines, 1);
                let panics = PANICS.load(std::sync::atomic::Ordering::Relaxed);
                if rate > best[k].1 {
                    best[k] = (n, rate, panics);
                }
            }
        }
        let mut rows = Vec::new();
        for ((peer, _), (n, rate, panics)) in chosen.iter().zip(best) {
            let label = if panics > 0 { format!("{peer} ({panics} panics)") } else { peer.to_string() };
            rows.push((label, n, rate));
        }
        if python && *name != "synthetic+tags" {
            let file = data.join(format!("{name}.nmea"));
            write_lines(&file, lines);
            let out = Command::new("python3")
                .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peers.py"))
                .arg(&file)
                .output();
            match out {
                Ok(o) => {
                    for l in String::from_utf8_lossy(&o.stdout).lines() {
                        // "name<TAB>messages<TAB>msg/s"
                        let f: Vec<&str> = l.split('\t').collect();
                        if let [p, n, r] = f[..] {
                            rows.push((p.to_string(), n.parse().unwrap_or(0), r.parse().unwrap_or(0.0)));
                        }
                    }
                    eprint!("{}", String::from_utf8_lossy(&o.stderr));
                }
                Err(e) => eprintln!("peers.py not run: {e}"),
            }
        }
        let ours = rows.first().map_or(1.0, |r| r.2);
        ours_by_input.push((name.to_string(), ours));
        for (p, n, rate) in &rows {
            println!("{p:<32} {n:>10} {rate:>14.0} {:>9.2}x", ours / rate.max(1e-9));
        }
        if *name == "real" {
            let two = measure_two_threads(lines, rounds);
            println!("corridor-ais, 2 threads x 2 sources: {two:.0} msg/s aggregate ({:.2}x one thread)", two / ours);
        }
    }
    if let (Some(plain), Some(tags)) = (ours_by_input.get(1), ours_by_input.get(2)) {
        println!("\ntag blocks cost: {:.1} % (synthetic vs synthetic+tags, corridor-ais)", (1.0 - tags.1 / plain.1) * 100.0);
    }
}
