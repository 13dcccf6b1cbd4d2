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
//! [--only DECODER-PREFIX] [--input real|synthetic|synthetic+tags]`;
//! `--decode-file FILE [--decoder NAME]` decodes one file with one decoder
//! (for callgrind); `--write-inputs DIR` writes the inputs there.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use corridor_ais::bits::AisText;
use corridor_ais::encode::{EncodeOptions, TagBlockSpec, encode};
use corridor_ais::messages::fields::{
    Course, Heading, Lat, Lon, NavStatus, RateOfTurn, ShipType, Speed,
};
use corridor_ais::messages::position::{BaseStationReport, ClassBPositionReport, PositionReport};
use corridor_ais::messages::static_data::{StaticDataReport, StaticVoyageData};
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
        Body::StaticData(StaticDataReport::A {
            shipname: AisText::new("SEA BREEZE"),
            spare: Some(0),
        })
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
    let text = std::fs::read_to_string(shared().join("derived/real_combined.nmea"))
        .expect("real_combined.nmea");
    let base: Vec<String> = text.lines().map(str::to_string).collect();
    let sentences = base
        .iter()
        .filter(|l| l.contains("VDM") || l.contains("VDO"))
        .count()
        .max(1);
    let reps = TARGET.div_ceil(sentences);
    let mut out = Vec::with_capacity(base.len() * reps);
    for _ in 0..reps {
        out.extend(base.iter().cloned());
    }
    out
}

type Run = fn(&[String]) -> usize;

/// corridor-ais with a consumer that reads every message's time (as
/// corridor-ingest does).
fn run_corridor_time(lines: &[String]) -> usize {
    let mut d = Decoder::default();
    let mut n = 0;
    for l in lines {
        let _ = guarded(|| {
            d.feed_line(l.as_bytes(), |m| {
                std::hint::black_box(m.time_millis());
                n += 1;
            })
        });
    }
    n
}

/// corridor-ais with a consumer that reads every message's source and time
/// (tag-block fields are parsed only when asked for; this asks every time).
fn run_corridor_meta(lines: &[String]) -> usize {
    let mut d = Decoder::default();
    let mut n = 0;
    for l in lines {
        let _ = guarded(|| {
            d.feed_line(l.as_bytes(), |m| {
                std::hint::black_box((m.source(), m.time_millis()));
                n += 1;
            })
        });
    }
    n
}

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
        let ok = guarded(
            || matches!(p.parse(l.as_bytes(), true), Ok(ais::AisFragments::Complete(s)) if s.message.is_some()),
        );
        n += usize::from(ok == Some(true));
    }
    n
}

fn run_nmea_parser(lines: &[String]) -> usize {
    let mut p = nmea_parser::NmeaParser::new();
    let mut n = 0;
    for l in lines {
        let ok = guarded(|| {
            !matches!(
                p.parse_sentence(l),
                Ok(nmea_parser::ParsedMessage::Incomplete) | Err(_)
            )
        });
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

/// Best-of-`rounds` messages per second: (messages, by wall time, by the
/// thread's CPU time when the OS tells it).
fn measure(f: Run, lines: &[String], rounds: usize) -> (usize, f64, Option<f64>) {
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    let mut n = 0;
    for _ in 0..rounds {
        let c0 = thread_cpu_secs();
        let t = Instant::now();
        n = std::hint::black_box(f(std::hint::black_box(lines)));
        best = best.min(t.elapsed().as_secs_f64());
        if let Some(c) = c0
            .and_then(|a| Some(thread_cpu_secs()? - a))
            .filter(|c| *c > 0.0)
        {
            best_cpu = best_cpu.min(c);
        }
    }
    (
        n,
        n as f64 / best,
        (best_cpu < f64::MAX).then(|| n as f64 / best_cpu),
    )
}

/// CPU time of the calling thread in seconds: Linux's
/// /proc/thread-self/schedstat (time on a CPU, in nanoseconds), else
/// /proc/thread-self/stat (utime + stime in ticks of 1/100 s, too coarse for
/// a round of ~0.1 s: one tick is 9 %), `None` elsewhere.
fn thread_cpu_secs() -> Option<f64> {
    if let Some(ns) = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
    {
        return Some(ns as f64 / 1e9);
    }
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the ")" that closes the command name: state is field 3.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// One source on the calling thread: (messages, wall s, thread CPU s).
fn timed_source(lines: &[String]) -> (usize, f64, Option<f64>) {
    let c0 = thread_cpu_secs();
    let t = Instant::now();
    let n = std::hint::black_box(run_corridor(std::hint::black_box(lines)));
    let wall = t.elapsed().as_secs_f64();
    let cpu = c0.and_then(|a| Some(thread_cpu_secs()? - a));
    (n, wall, cpu)
}

/// Two independent sources decoded on two threads, against one source on
/// one thread (rounds interleaved, best kept): (one-thread msg/s, two-thread
/// aggregate msg/s, one-thread msg per CPU s, two-thread msg per CPU s).
/// The CPU figures say whether the threads slow each other down (shared
/// state, memory bandwidth) whatever else is running on the machine.
fn measure_two_threads(lines: &[String], rounds: usize) -> (f64, f64, Option<f64>, Option<f64>) {
    let (mut one, mut two) = (0f64, 0f64);
    let (mut one_cpu, mut two_cpu): (Option<f64>, Option<f64>) = (None, None);
    for _ in 0..rounds {
        let (n, wall, cpu) = timed_source(lines);
        one = one.max(n as f64 / wall);
        if let Some(c) = cpu.filter(|c| *c > 0.0) {
            one_cpu = Some(one_cpu.unwrap_or(0.0).max(n as f64 / c));
        }
        let t = Instant::now();
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| timed_source(lines));
            let b = s.spawn(|| timed_source(lines));
            (
                a.join().unwrap_or((0, 0.0, None)),
                b.join().unwrap_or((0, 0.0, None)),
            )
        });
        let wall = t.elapsed().as_secs_f64();
        two = two.max((a.0 + b.0) as f64 / wall);
        if let (Some(ca), Some(cb)) = (a.2, b.2)
            && ca + cb > 0.0
        {
            two_cpu = Some(two_cpu.unwrap_or(0.0).max((a.0 + b.0) as f64 / (ca + cb)));
        }
    }
    (one, two, one_cpu, two_cpu)
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
    if let Some(path) = args
        .iter()
        .position(|a| a == "--decode-file")
        .and_then(|i| args.get(i + 1))
    {
        let text = std::fs::read_to_string(path).expect("input file");
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        // `--decoder NAME` picks another decoder; "none" only loads the lines
        // (the baseline to subtract when counting instructions).
        let which = args
            .iter()
            .position(|a| a == "--decoder")
            .and_then(|i| args.get(i + 1))
            .map_or("corridor", String::as_str);
        let f: Run = match which {
            "none" => |_| 0,
            "ais" => run_ais,
            "nmea-parser" => run_nmea_parser,
            "aivdm" => run_aivdm,
            "nmea-kit" => run_nmea_kit,
            "corridor-meta" => run_corridor_meta,
            "corridor-time" => run_corridor_time,
            _ => run_corridor,
        };
        std::panic::set_hook(Box::new(|_| {}));
        println!("{which}: {} messages", f(&lines));
        return;
    }
    std::panic::set_hook(Box::new(|_| {}));
    let inputs = [
        ("real", real()),
        ("synthetic", synthetic(false)),
        ("synthetic+tags", synthetic(true)),
    ];
    // `--write-inputs DIR`: write the three inputs (the first 100,000 lines
    // of each, enough for callgrind) and exit.
    if let Some(dir) = args
        .iter()
        .position(|a| a == "--write-inputs")
        .and_then(|i| args.get(i + 1))
    {
        for (name, lines) in &inputs {
            let file = PathBuf::from(dir).join(format!("{}.nmea", name.replace('+', "_")));
            write_lines(&file, &lines[..lines.len().min(100_000)]);
            println!("{}", file.display());
        }
        return;
    }
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
    let input_filter = args
        .iter()
        .position(|a| a == "--input")
        .and_then(|i| args.get(i + 1));
    for (name, lines) in &inputs {
        if input_filter.is_some_and(|f| f != name) {
            continue;
        }
        println!("\n## {name}: {} lines", lines.len());
        println!(
            "{:<44} {:>10} {:>12} {:>8} {:>14} {:>8}",
            "decoder", "messages", "msg/s", "ours/x", "msg/CPU-s", "ours/x"
        );
        let only = args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1));
        let chosen: Vec<(&str, Run)> = peers
            .iter()
            .copied()
            .filter(|(p, _)| only.is_none_or(|o| p.starts_with(o.as_str())))
            .collect();
        // Rounds are interleaved across decoders so that load from other
        // processes on this shared machine hits them alike; best round kept
        // (by wall time and, separately, by the thread's CPU time).
        let mut best = vec![(0usize, 0f64, 0f64, 0usize); chosen.len()];
        for _ in 0..rounds {
            for (k, (_, f)) in chosen.iter().enumerate() {
                PANICS.store(0, std::sync::atomic::Ordering::Relaxed);
                let (n, rate, cpu_rate) = measure(*f, lines, 1);
                let panics = PANICS.load(std::sync::atomic::Ordering::Relaxed);
                let b = &mut best[k];
                b.0 = n;
                b.1 = b.1.max(rate);
                b.2 = b.2.max(cpu_rate.unwrap_or(0.0));
                b.3 = panics;
            }
        }
        let mut rows = Vec::new();
        for ((peer, _), (n, rate, cpu_rate, panics)) in chosen.iter().zip(best) {
            let label = if panics > 0 {
                format!("{peer} ({panics} panics)")
            } else {
                peer.to_string()
            };
            rows.push((label, n, rate, cpu_rate));
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
                        // "name<TAB>messages<TAB>msg/s<TAB>msg per CPU second"
                        let f: Vec<&str> = l.split('\t').collect();
                        if let [p, n, r, c] = f[..] {
                            let (n, r, c) = (
                                n.parse().unwrap_or(0),
                                r.parse().unwrap_or(0.0),
                                c.parse().unwrap_or(0.0),
                            );
                            rows.push((p.to_string(), n, r, c));
                        }
                    }
                    eprint!("{}", String::from_utf8_lossy(&o.stderr));
                }
                Err(e) => eprintln!("peers.py not run: {e}"),
            }
        }
        let ours = rows.first().map_or(1.0, |r| r.2);
        let ours_cpu = rows.first().map_or(1.0, |r| r.3);
        ours_by_input.push((name.to_string(), ours, ours_cpu));
        for (p, n, rate, cpu_rate) in &rows {
            println!(
                "{p:<44} {n:>10} {rate:>12.0} {:>7.2}x {cpu_rate:>14.0} {:>7.2}x",
                ours / rate.max(1e-9),
                ours_cpu / cpu_rate.max(1e-9)
            );
        }
        if *name == "real" {
            let (one, two, one_cpu, two_cpu) = measure_two_threads(lines, rounds);
            println!(
                "corridor-ais, 2 threads x 2 sources: {two:.0} msg/s aggregate vs {one:.0} on 1 thread ({:.2}x)",
                two / one
            );
            if let (Some(a), Some(b)) = (one_cpu, two_cpu) {
                println!(
                    "  per CPU second of the decoding threads: {a:.0} msg on 1 thread, {b:.0} msg on 2 threads ({:.2}x)",
                    b / a
                );
            }
        }
    }
    if let (Some(plain), Some(tags)) = (ours_by_input.get(1), ours_by_input.get(2)) {
        println!(
            "\ntag blocks cost (synthetic vs synthetic+tags, corridor-ais): {:.1} % by wall time, {:.1} % by CPU time",
            (plain.1 / tags.1 - 1.0) * 100.0,
            (plain.2 / tags.2.max(1e-9) - 1.0) * 100.0
        );
    }
}
