//! TCP (client with backoff, server with a connection limit) and UDP
//! (a lane per sender) sources.

use super::*;

/// Senders a UDP source keeps a decoder for (see `udp`).
const MAX_UDP_SENDERS: usize = 64;

pub(crate) async fn tcp_client(
    addr: String,
    tag: SourceTag,
    limits: SourceLimits,
    tx: mpsc::Sender<Batch>,
    cancel: CancellationToken,
) {
    let mut backoff = Backoff::new(&limits);
    loop {
        let mut held = Duration::ZERO;
        let conn = tokio::select! {
            _ = cancel.cancelled() => return,
            c = tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(&addr)) => c,
        };
        match conn {
            Ok(Ok(stream)) => {
                tracing::info!(source = %tag.name, "connected");
                let since = tokio::time::Instant::now();
                if pump(stream, &tag, &limits, &tx, &cancel).await.is_err() {
                    return; // downstream is gone: the pipeline is shutting down
                }
                held = since.elapsed();
                tag.emit(Event::Error {
                    what: "disconnected",
                    error: "end of stream",
                });
            }
            Ok(Err(e)) => tag.emit(Event::Error {
                what: "connect",
                error: &e.to_string(),
            }),
            Err(_) => tag.emit(Event::Error {
                what: "connect",
                error: "timed out",
            }),
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(backoff.after(held)) => {}
        }
    }
}

pub(crate) async fn tcp_server(
    listener: TcpListener,
    tag: SourceTag,
    limits: SourceLimits,
    tx: mpsc::Sender<Batch>,
    cancel: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // Each connection is a lane of its own, and they take turns into this
    // source's one lane: many connections cost the other sources nothing
    // more than one would (`crate::turns`).
    let (join, joined) = mpsc::channel::<mpsc::Receiver<Batch>>(16);
    let turns = tokio::spawn(crate::turns::take_turns(joined, tx));
    loop {
        let accepted = tokio::select! {
            _ = cancel.cancelled() => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tag.emit(Event::Error {
                    what: "accept",
                    error: &e.to_string(),
                });
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
            // Too many connections: refuse this one rather than queue it.
            tag.emit(Event::Error {
                what: "too_many_connections",
                error: &peer.to_string(),
            });
            continue;
        };
        let (tx, lane) = mpsc::channel::<Batch>(CONNECTION_DEPTH);
        if join.send(lane).await.is_err() {
            break;
        }
        let (tag, cancel) = (tag.clone(), cancel.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let _ = pump(stream, &tag, &limits, &tx, &cancel).await;
        });
    }
    // The turns end once every connection has.
    drop(join);
    let _ = turns.await;
}

/// Batches one TCP connection may have waiting for its turn (then its
/// reading waits, and the peer with it). Small: a server holds this many
/// for each of its `max_connections`, besides the one each is building.
const CONNECTION_DEPTH: usize = 2;

pub(crate) async fn udp(
    socket: UdpSocket,
    tag: SourceTag,
    limits: SourceLimits,
    tx: mpsc::Sender<Batch>,
    cancel: CancellationToken,
) {
    let mut buf = vec![0u8; 65_536];
    // A decoder per sender: two receivers' multi-part messages with the
    // same sequence id must not be joined. And a lane per sender: the
    // senders take turns into this source's one lane, as a TCP server's
    // connections do, so one sender flooding the port fills only its own
    // lane. The least recently heard sender gives way beyond
    // MAX_UDP_SENDERS (its waiting fragments counted; what its lane holds
    // still goes on).
    let mut senders: std::collections::HashMap<SocketAddr, UdpSender> =
        std::collections::HashMap::new();
    // A sender's lane holds as much as the source's own, so a burst from a
    // port's one receiver is absorbed as before. All lanes together, those
    // of forgotten senders still draining included, hold at most
    // UDP_LANES_HELD times that: memory stays bounded however many
    // addresses send (then datagrams are dropped, counted).
    let depth = tx.max_capacity().max(1);
    let held_max = depth * UDP_LANES_HELD;
    let held = |s: &mpsc::Sender<Batch>| s.max_capacity() - s.capacity();
    // Lanes of forgotten senders with batches still waiting; each is let
    // go (and its lane ends) once drained.
    let mut draining: Vec<mpsc::Sender<Batch>> = Vec::new();
    let (join, joined) = mpsc::channel::<mpsc::Receiver<Batch>>(16);
    let turns = tokio::spawn(crate::turns::take_turns(joined, tx));
    let mut datagrams = 0u64;
    loop {
        let got = tokio::select! {
            _ = cancel.cancelled() => break,
            r = socket.recv_from(&mut buf) => r,
        };
        let (n, from) = match got {
            Ok(got) => got,
            Err(e) => {
                tag.emit(Event::Error {
                    what: "recv",
                    error: &e.to_string(),
                });
                continue;
            }
        };
        tag.emit(Event::Received {
            messages: 1,
            bytes: n as u64,
        });
        datagrams += 1;
        if !senders.contains_key(&from) {
            // No room to join a lane now: nobody is forgotten for it (the
            // sender tries again with its next datagram).
            if join.capacity() == 0 {
                tag.emit(Event::Dropped {
                    count: 1,
                    reason: "too_many_senders",
                });
                continue;
            }
            if senders.len() >= MAX_UDP_SENDERS {
                let oldest = senders.iter().min_by_key(|(_, s)| s.heard).map(|(a, _)| *a);
                if let Some(mut gone) = oldest.and_then(|a| senders.remove(&a)) {
                    gone.stage.decoder.finish();
                    gone.stage.account();
                    if held(&gone.lane) > 0 {
                        draining.push(gone.lane);
                    }
                }
            }
            let (lane_tx, lane) = mpsc::channel::<Batch>(depth);
            // Never waits: the socket is read on (the kernel would drop
            // datagrams uncounted); a sender not let in now tries again
            // with its next datagram.
            match join.try_send(lane) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tag.emit(Event::Dropped {
                        count: 1,
                        reason: "too_many_senders",
                    });
                    continue;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => break,
            }
            senders.insert(
                from,
                UdpSender {
                    heard: 0,
                    stage: DecodeStage::new(tag.clone(), true),
                    lane: lane_tx,
                },
            );
        }
        let Some(sender) = senders.get_mut(&from) else {
            continue;
        };
        sender.heard = datagrams;
        let stage = &mut sender.stage;
        for line in buf[..n].split(|b| *b == b'\n') {
            if line.len() > limits.max_line {
                tag.emit(Event::Dropped {
                    count: 1,
                    reason: "line_too_long",
                });
                continue;
            }
            if !line.is_empty() {
                stage.line(line);
            }
        }
        stage.account();
        if stage.out.is_empty() {
            continue;
        }
        // UDP cannot push back on the sender: when its lane is full the
        // datagram's reports are dropped, counted, and the socket read on
        // (waiting would let the kernel drop datagrams uncounted).
        let reports = std::mem::take(&mut stage.out);
        let count = reports.len() as u64;
        draining.retain(|s| held(s) > 0);
        let lanes = senders.values().map(|s| &s.lane).chain(draining.iter());
        let (total, busy) = lanes.fold((0, 0), |(t, b), s| {
            let h = held(s);
            (t + h, b + usize::from(h > 0))
        });
        // Over the total, only a sender holding its fair share or more is
        // refused: a few floods filling the total must not shut out a
        // sender with an empty lane (each holds at most its share more,
        // so the total stays under twice the bound).
        let own = senders.get(&from).map_or(0, |s| held(&s.lane));
        if total >= held_max && own >= held_max / busy.max(1) {
            tag.emit(Event::Dropped {
                count,
                reason: "channel_full",
            });
            continue;
        }
        let Some(sender) = senders.get_mut(&from) else {
            continue;
        };
        match sender.lane.try_send(Batch {
            reports,
            acks: Vec::new(),
        }) {
            Ok(()) => tag.emit(Event::Forwarded { count }),
            Err(mpsc::error::TrySendError::Full(_)) => tag.emit(Event::Dropped {
                count,
                reason: "channel_full",
            }),
            Err(mpsc::error::TrySendError::Closed(_)) => break,
        }
    }
    // The turns end once every sender's lane has been drained.
    drop(senders);
    drop(draining);
    drop(join);
    let _ = turns.await;
}

/// One sender to a UDP source: when it was last heard (in datagrams), its
/// decoder and its lane.
struct UdpSender {
    heard: u64,
    stage: DecodeStage,
    lane: mpsc::Sender<Batch>,
}

/// What all of a UDP source's sender lanes may hold together, in lanes'
/// worth (a lane holds as much as the source's own channel).
const UDP_LANES_HELD: usize = 4;
