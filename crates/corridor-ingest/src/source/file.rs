//! Replaying a file, as fast as it goes or paced by its own times.

use super::*;

/// The longest jump in a paced replay's time that is waited for (see
/// `file`).
const MAX_PACED_JUMP: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

pub(crate) async fn file(
    path: PathBuf,
    speed: Option<f64>,
    tag: SourceTag,
    limits: SourceLimits,
    tx: mpsc::Sender<Batch>,
    cancel: CancellationToken,
) {
    let f = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) => {
            tag.emit(Event::Error {
                what: "open",
                error: &e.to_string(),
            });
            return;
        }
    };
    let mut lines = LineReader::new(BufReader::with_capacity(256 * 1024, f), limits.max_line);
    // A recorded feed has its own clock (tag blocks); no wall-clock fallback.
    let mut stage = DecodeStage::new(tag.clone(), false);
    let mut origin: Option<(Timestamp, tokio::time::Instant)> = None;
    let mut last_time: Option<Timestamp> = None;
    loop {
        let next = tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            n = lines.next() => n,
        };
        match next {
            Ok(Some((Line::Ok(l), n))) => {
                tag.emit(Event::Received {
                    messages: 1,
                    bytes: n as u64,
                });
                stage.line(l);
            }
            Ok(Some((Line::TooLong, n))) => {
                tag.emit(Event::Received {
                    messages: 0,
                    bytes: n as u64,
                });
                tag.emit(Event::Dropped {
                    count: 1,
                    reason: "line_too_long",
                });
            }
            Ok(None) => break,
            Err(e) => {
                tag.emit(Event::Error {
                    what: "read",
                    error: &e.to_string(),
                });
                break;
            }
        }
        if let Some(speed) = speed
            && let Some(t) = stage.out.last().map(Report::time)
        {
            // A jump of more than a day either way (a bad tag-block time,
            // logs spliced together) is not waited for: the pace starts
            // again from this report, so one bad line cannot stall the replay.
            if last_time.is_some_and(|p| t.duration_since(p).abs() > MAX_PACED_JUMP) {
                origin = None;
            }
            last_time = Some(t);
            // Real time × speed: wait until this report's moment has come.
            let (t0, w0) = *origin.get_or_insert((t, tokio::time::Instant::now()));
            let secs = t.duration_since(t0).as_secs_f64().max(0.0) / speed;
            let due = w0 + Duration::from_secs_f64(secs.min(1e9));
            if stage.flush(&tx, Vec::new()).await.is_err() {
                return;
            }
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = tokio::time::sleep_until(due) => {}
            }
        } else if stage.out.len() >= limits.batch && stage.flush(&tx, Vec::new()).await.is_err() {
            return;
        }
    }
    stage.decoder.finish();
    let _ = stage.flush(&tx, Vec::new()).await;
}
