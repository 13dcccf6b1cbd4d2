//! Must-show 3: bad input on a live socket costs that source a counted
//! error, never the process or another source.
//!
//! One pipeline, two sources: a TCP server (the hostile peers connect here)
//! and a UDP listener (an unrelated source that must keep working). No
//! timing assertions: the test waits for counters to reach known values.

mod common;

use std::time::Duration;

use corridor_ingest::sim::NmeaEncoder;
use corridor_ingest::{LiveHandle, PipelineConfig, SourceSpec, demo_corridor, spawn_pipeline};
use corridor_track::{NavStatus, PositionReport, Report};
use jiff::Timestamp;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpStream, UdpSocket};

fn position_lines(mmsi: u32, n: usize, t0: i64) -> Vec<String> {
    let mut enc = NmeaEncoder::new(&[], "t");
    (0..n)
        .map(|i| {
            enc.encode(&Report::Position(PositionReport {
                mmsi,
                time: Timestamp::from_second(t0 + i as i64 * 10).expect("time"),
                lat: 43.0 + i as f64 * 1e-4,
                lon: 34.0,
                sog_kn: Some(10.0),
                cog_deg: Some(0.0),
                heading_deg: Some(0),
                nav_status: NavStatus::UNDER_WAY,
            }))
        })
        .collect()
}

/// Waits (polling the counters) until `cond` holds; the guard only stops a broken build from hanging CI.
async fn until(
    handle: &LiveHandle,
    what: &str,
    cond: impl Fn(&corridor_ingest::PipelineStats) -> bool,
) {
    for _ in 0..6000 {
        let s = handle.stats().await;
        if cond(&s) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never reached: {what}: {:?}", handle.stats().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_peers_cost_their_source_only() {
    let corridor = demo_corridor().expect("corridor");
    let mut cfg = PipelineConfig::new(
        corridor,
        vec![
            SourceSpec::parse("tcp-server:127.0.0.1:0").expect("tcp"),
            SourceSpec::parse("udp:127.0.0.1:0").expect("udp"),
        ],
    );
    cfg.limits.max_line = 1024;
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    let tcp = handle.bound()[0].1;
    let udp = handle.bound()[1].1;
    let t0 = 1_700_000_000;

    // 1. Garbage bytes, then a clean close.
    let mut g = TcpStream::connect(tcp).await.expect("connect");
    let garbage: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    g.write_all(&garbage).await.expect("write");
    g.write_all(b"\n!AIVDM,1,1,,A,zzzz,0*00\n\x00\xff\r\n")
        .await
        .expect("write");
    drop(g);

    // 2. A 10 MB line with no newline (the peer may be cut off; either way the pipeline lives).
    let mut big = TcpStream::connect(tcp).await.expect("connect");
    let chunk = vec![b'A'; 1 << 20];
    for _ in 0..10 {
        if big.write_all(&chunk).await.is_err() {
            break;
        }
    }
    drop(big);

    // 3. A sentence dropped mid-way.
    let half = position_lines(211_000_003, 1, t0).remove(0);
    let mut cut = TcpStream::connect(tcp).await.expect("connect");
    cut.write_all(&half.as_bytes()[..half.len() / 2])
        .await
        .expect("write");
    drop(cut);

    // 4. A client sending one byte at a time (held open while others work).
    let slow_line = position_lines(211_000_004, 1, t0).remove(0);
    let mut slow = TcpStream::connect(tcp).await.expect("connect");
    slow.set_nodelay(true).expect("nodelay");
    let slow_bytes = slow_line.into_bytes();
    let mut slow_sent = 0;
    for b in slow_bytes.iter().take(10) {
        slow.write_all(&[*b]).await.expect("write");
        slow_sent += 1;
    }

    // 5. A healthy TCP peer and the UDP source both get through meanwhile.
    let mut ok = TcpStream::connect(tcp).await.expect("connect");
    for l in position_lines(211_000_001, 50, t0) {
        ok.write_all(l.as_bytes()).await.expect("write");
    }
    ok.flush().await.expect("flush");
    let sock = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    for l in position_lines(211_000_002, 20, t0) {
        sock.send_to(l.as_bytes(), udp).await.expect("send");
    }
    until(&handle, "healthy peers' reports", |s| {
        s.monitor.positions >= 70
    })
    .await;

    // The slow client finishes its sentence, byte by byte.
    for b in &slow_bytes[slow_sent..] {
        slow.write_all(&[*b]).await.expect("write");
        slow.flush().await.expect("flush");
        tokio::task::yield_now().await;
    }
    drop(slow);
    drop(ok);
    until(&handle, "all TCP connections closed", |s| {
        s.sources[0].closed >= 5 && s.monitor.positions >= 71
    })
    .await;

    let s = handle.stats().await;
    println!("{s:#?}");
    let (t, u) = (&s.sources[0], &s.sources[1]);
    assert_eq!(
        s.monitor.positions, 71,
        "50 TCP + 20 UDP + the slow client's one"
    );
    assert!(
        t.bad >= 2,
        "garbage and the cut sentence are counted bad: {t:?}"
    );
    assert!(t.drops >= 1, "the 10 MB line is dropped, counted: {t:?}");
    assert_eq!(t.opened, 5);
    assert_eq!(
        (u.bad, u.drops, u.errors, u.reports),
        (0, 0, 0, 20),
        "the other source is untouched"
    );
    handle.shutdown().await;
}

/// The review of 2026-11-30 (ingest), finding 1: two lines dated in 2100
/// confirmed each other and moved the live clock to 2100 for good (every
/// vessel then went silent, and stored positions were thinned as old). A
/// live pipeline now refuses every report dated after its wall clock (plus
/// the monitor's bound), counted invalid and not stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_from_the_future_do_not_move_a_live_clock() {
    let corridor = demo_corridor().expect("corridor");
    let cfg = PipelineConfig::new(
        corridor,
        vec![SourceSpec::parse("tcp-server:127.0.0.1:0").expect("tcp")],
    );
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    let tcp = handle.bound()[0].1;
    let now = Timestamp::now().as_second();
    let mut peer = TcpStream::connect(tcp).await.expect("connect");
    let future = position_lines(211_000_901, 2, 4_102_444_800);
    let present = position_lines(211_000_902, 3, now - 60);
    for l in future.iter().chain(&present) {
        peer.write_all(format!("{l}\n").as_bytes())
            .await
            .expect("write");
    }
    peer.flush().await.expect("flush");
    until(&handle, "the present vessel tracked", |s| {
        s.monitor.positions >= 3
    })
    .await;
    let s = handle.stats().await;
    assert_eq!((s.monitor.positions, s.monitor.invalid), (3, 2), "{s:?}");
    let vessels = handle.vessels().await;
    assert!(vessels.iter().all(|v| v.mmsi != 211_000_901), "{vessels:?}");
    assert!(
        vessels
            .iter()
            .filter_map(|v| v.last_seen)
            .all(|t| t.as_second() <= now + 1),
        "{vessels:?}"
    );
    handle.shutdown().await;
}

/// The review of 2026-11-30 (ingest), finding 1: a paced replay waited for
/// each report's moment, so one line dated in 2100 (or a first line dated
/// 1970) stalled it for years. A jump of more than a day is not waited for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_time_does_not_stall_a_paced_replay() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("feed.nmea");
    let t0 = 1_700_000_000;
    let mut lines = position_lines(211_000_903, 1, 0);
    lines.extend(position_lines(211_000_903, 3, t0));
    lines.extend(position_lines(211_000_904, 1, 4_102_444_800));
    lines.extend(position_lines(211_000_903, 3, t0 + 30));
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    let spec = SourceSpec::parse(&format!("file:{}@1000", path.display())).expect("spec");
    let mut cfg = PipelineConfig::new(demo_corridor().expect("corridor"), vec![spec]);
    cfg.finish_at_end = true;
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    // Six reports 10 s apart at 1000x: well under a second of pacing.
    // (Unbounded, the wait for the line dated 2100 would be 78 years / 1000.)
    tokio::time::timeout(Duration::from_secs(60), handle.join())
        .await
        .expect("the replay ends");
    let s = handle.stats().await;
    assert_eq!(s.sources[0].reports, 8, "{s:?}");
}

/// The review of 2026-11-30 (ingest), finding 5: a connection that sent
/// nothing held its slot for ever (256 of them locked every receiver out),
/// and a half-open client connection never reconnected. A connection silent
/// for `SourceLimits::idle` is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_closed() {
    let mut cfg = PipelineConfig::new(
        demo_corridor().expect("corridor"),
        vec![SourceSpec::parse("tcp-server:127.0.0.1:0").expect("tcp")],
    );
    cfg.limits.idle = Duration::from_millis(300);
    cfg.limits.max_connections = 1;
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    let tcp = handle.bound()[0].1;
    let silent = TcpStream::connect(tcp).await.expect("connect");
    until(&handle, "the silent peer closed", |s| {
        s.sources[0].closed >= 1
    })
    .await;
    // Its slot is free: a talking peer gets in.
    let mut peer = TcpStream::connect(tcp).await.expect("connect");
    for l in position_lines(211_000_905, 3, Timestamp::now().as_second() - 60) {
        peer.write_all(format!("{l}\n").as_bytes())
            .await
            .expect("write");
    }
    until(&handle, "the talking peer tracked", |s| {
        s.monitor.positions >= 3
    })
    .await;
    drop(silent);
    handle.shutdown().await;
}

/// The review of 2026-11-30 (ingest), finding 8: an alert that could not be
/// stored was broadcast all the same, so a coordinator who saw it was told
/// it did not exist. Now an alert is broadcast once stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_is_broadcast_only_once_stored() {
    let (_dir, store, side) = common::store_with_side_door().await;
    sqlx::query("ALTER TABLE track_alerts RENAME TO track_alerts_away")
        .execute(&side)
        .await
        .expect("rename");
    let cfg = PipelineConfig::new(
        demo_corridor().expect("corridor"),
        vec![SourceSpec::parse("tcp-server:127.0.0.1:0").expect("tcp")],
    );
    let handle = spawn_pipeline(cfg, Some(std::sync::Arc::clone(&store)))
        .await
        .expect("pipeline");
    let mut alerts = handle.subscribe_alerts();
    let tcp = handle.bound()[0].1;
    let now = Timestamp::now().as_second();
    // One ship, then the same MMSI 300 km away ten seconds later: a jump.
    let mut enc = NmeaEncoder::new(&[], "t");
    let mut report = |lat: f64, lon: f64, t: i64| {
        enc.encode(&Report::Position(PositionReport {
            mmsi: 211_000_906,
            time: Timestamp::from_second(t).expect("time"),
            lat,
            lon,
            sog_kn: Some(10.0),
            cog_deg: Some(0.0),
            heading_deg: Some(0),
            nav_status: NavStatus::UNDER_WAY,
        }))
    };
    let lines = [
        report(43.0, 34.0, now - 120),
        report(43.001, 34.0, now - 110),
        report(41.0, 31.0, now - 100),
    ];
    let mut peer = TcpStream::connect(tcp).await.expect("connect");
    for l in &lines {
        peer.write_all(format!("{l}\n").as_bytes())
            .await
            .expect("write");
    }
    until(&handle, "the jump raised", |s| s.alerts >= 1).await;
    // The sink's three tries take 0.6 s; give it more than that to misbehave.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        matches!(
            alerts.try_recv(),
            Err(tokio::sync::broadcast::error::TryRecvError::Empty)
        ),
        "an unstored alert was broadcast"
    );
    // The table is back: the sink's next try stores it (with no new alert
    // to carry it), then it is broadcast.
    sqlx::query("ALTER TABLE track_alerts_away RENAME TO track_alerts")
        .execute(&side)
        .await
        .expect("rename back");
    let got = tokio::time::timeout(Duration::from_secs(30), alerts.recv())
        .await
        .expect("broadcast once stored")
        .expect("alert");
    assert_eq!(got.mmsi, 211_000_906);
    handle.shutdown().await;
}

/// The review of 2026-11-30 (ingest), a UDP finding: one decoder served
/// every sender, so two receivers' two-part messages with the same
/// sequence id, interleaved, were joined wrongly or dropped. Each sender
/// now has its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_udp_senders_keep_their_own_multipart_messages() {
    use corridor_track::StaticReport;
    let cfg = PipelineConfig::new(
        demo_corridor().expect("corridor"),
        vec![SourceSpec::parse("udp:127.0.0.1:0").expect("udp")],
    );
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    let udp = handle.bound()[0].1;
    // The same sequence id, tag-block group and channel from both (each
    // encoder starts alike; odd MMSIs go on channel B).
    let parts = |mmsi: u32, name: &str| -> Vec<String> {
        NmeaEncoder::new(&[], "t")
            .encode(&Report::Static(StaticReport {
                mmsi,
                time: Timestamp::now(),
                imo: Some(9_074_729),
                name: Some(name.into()),
                callsign: Some("TP01".into()),
                ship_type: Some(70),
            }))
            .lines()
            .map(str::to_string)
            .collect()
    };
    let (a, b) = (parts(211_000_907, "FIRST"), parts(211_000_909, "SECOND"));
    assert_eq!((a.len(), b.len()), (2, 2));
    let first = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let second = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    for (socket, line) in [
        (&first, &a[0]),
        (&second, &b[0]),
        (&first, &a[1]),
        (&second, &b[1]),
    ] {
        // In this order: each datagram counted before the next goes.
        let sent = handle.stats().await.sources[0].messages + 1;
        socket.send_to(line.as_bytes(), udp).await.expect("send");
        until(&handle, "the datagram received", |s| {
            s.sources[0].messages >= sent
        })
        .await;
    }
    until(&handle, "both names", |s| s.monitor.statics >= 2).await;
    let vessels = handle.vessels().await;
    let name = |m: u32| {
        vessels
            .iter()
            .find(|v| v.mmsi == m)
            .and_then(|v| v.name.clone())
    };
    assert_eq!(name(211_000_907).as_deref(), Some("FIRST"));
    assert_eq!(name(211_000_909).as_deref(), Some("SECOND"));
    handle.shutdown().await;
}

/// Open finding 8: every source shared the monitor's one channel, and
/// every TCP connection was a sender of its own, so 32 busy connections to
/// one TCP server kept it full and a UDP receiver's datagrams were dropped
/// (`channel_full`) while they waited. Sources now take turns, and so do a
/// server's connections inside its one turn: the UDP receiver loses
/// nothing while the connections flood.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_busy_connections_do_not_crowd_out_another_source() {
    let corridor = demo_corridor().expect("corridor");
    let mut cfg = PipelineConfig::new(
        corridor,
        vec![
            SourceSpec::parse("tcp-server:127.0.0.1:0").expect("tcp"),
            SourceSpec::parse("udp:127.0.0.1:0").expect("udp"),
        ],
    );
    // Each source's lane holds more than the UDP receiver sends, so it
    // loses nothing however slowly the monitor goes on a loaded machine;
    // the shared channel of old, as deep, dropped every datagram.
    cfg.channel_capacity = 256;
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    let tcp = handle.bound()[0].1;
    let udp = handle.bound()[1].1;
    let t0 = 1_700_000_000;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut floods = Vec::new();
    for c in 0..32u32 {
        let stop = stop.clone();
        let lines = position_lines(212_000_000 + c, 500, t0).concat();
        floods.push(tokio::spawn(async move {
            let mut s = TcpStream::connect(tcp).await.expect("connect");
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if s.write_all(lines.as_bytes()).await.is_err() {
                    return;
                }
            }
        }));
    }
    // The flood is under way before the UDP receiver starts.
    until(&handle, "the flood", |s| s.sources[0].reports >= 5_000).await;
    let sock = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    const SENT: u64 = 200;
    const { assert!(SENT < 256) };
    for l in position_lines(211_000_009, SENT as usize, t0) {
        sock.send_to(l.as_bytes(), udp).await.expect("send");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    until(&handle, "every datagram forwarded or dropped", |s| {
        s.sources[1].reports + s.sources[1].drops >= SENT
    })
    .await;
    let during = handle.stats().await;
    // And the monitor has them, flood or not.
    for _ in 0..6000 {
        if handle.vessels().await.iter().any(|v| v.mmsi == 211_000_009) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(handle.vessels().await.iter().any(|v| v.mmsi == 211_000_009));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for f in floods {
        let _ = f.await;
    }
    let u = &during.sources[1];
    assert_eq!((u.reports, u.drops), (SENT, 0), "{u:?}");
    handle.shutdown().await;
}

/// Open finding 8, its UDP part: every sender to one UDP port shared the
/// port's lane, so one sender flooding the port kept it full and another
/// sender's datagrams were dropped (`channel_full`). Each sender now has a
/// lane of its own, and the senders take turns: the flood costs the other
/// sender nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_udp_sender_flooding_a_port_does_not_crowd_out_another_sender() {
    let corridor = demo_corridor().expect("corridor");
    let mut cfg = PipelineConfig::new(
        corridor,
        vec![SourceSpec::parse("udp:127.0.0.1:0").expect("udp")],
    );
    cfg.channel_capacity = 8;
    let handle = spawn_pipeline(cfg, None).await.expect("pipeline");
    let udp = handle.bound()[0].1;
    let t0 = 1_700_000_000;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Five flooding senders (one host, five ports): together they can fill
    // what all the port's lanes may hold, which must still leave room for
    // a sender with an empty lane (review of the session's fixes).
    let flood = {
        let stop = stop.clone();
        let handle = handle.clone();
        let datagram = position_lines(212_000_000, 100, t0).concat();
        tokio::spawn(async move {
            let mut socks = Vec::new();
            for _ in 0..5 {
                socks.push(UdpSocket::bind("127.0.0.1:0").await.expect("bind"));
            }
            let mut sent = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Never more than 16 datagrams ahead of the reader, so the
                // kernel's buffer never overflows: every loss is counted.
                while sent >= handle.stats().await.sources[0].messages + 16 {
                    tokio::task::yield_now().await;
                }
                let sock = &socks[(sent % 5) as usize];
                sock.send_to(datagram.as_bytes(), udp).await.expect("send");
                sent += 1;
            }
        })
    };
    until(&handle, "the flood dropping", |s| {
        s.sources[0].drops >= 1_000
    })
    .await;
    // The other sender sends its next datagram once the monitor has its
    // last: however slowly the machine goes, the old shared lane, kept full
    // by the flood, dropped the very first; a lane of its own has room.
    let sock = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    const SENT: u32 = 20;
    let first = 211_000_100;
    for i in 0..SENT {
        let mmsi = first + i;
        let l = &position_lines(mmsi, 1, t0)[0];
        sock.send_to(l.as_bytes(), udp).await.expect("send");
        let mut seen = false;
        for _ in 0..1000 {
            let now = tokio::time::Instant::now();
            if handle
                .vessels_since(now)
                .await
                .iter()
                .any(|v| v.mmsi == mmsi)
            {
                seen = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if !seen {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            let _ = flood.await;
            panic!(
                "datagram {i} of the other sender never reached the monitor: {:?}",
                handle.stats().await
            );
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = flood.await;
    handle.shutdown().await;
}
