//! Several replayed files as one feed in event-time order.

use super::*;

/// Batches each file of a multi-file replay may have in flight ahead of the
/// merge (each up to `SourceLimits::batch` reports).
pub(super) const FILE_MERGE_DEPTH: usize = 2;

/// Merges the report streams of several files into one, in event-time
/// order: a k-way merge on each stream's next report, earliest first, equal
/// times in the order the files were given. So `corridor track a.nmea
/// b.nmea` gives the same alerts on every run, the same as one file holding
/// the lines of both sorted by time.
///
/// - Each file is read by its own task into a bounded channel of its own; a
///   file that runs ahead waits there (backpressure) while the merge needs
///   another file's next report, so memory stays bounded whatever the files'
///   sizes. The merged batches go on to the monitor's bounded channel.
/// - A file's reports keep their order among themselves: a file that is not
///   sorted by time is merged as it is, never reordered internally.
/// - Untimed sentences: a file replay has no wall-clock fallback, so a
///   sentence without a tag-block (or `$PGHP`) time gives no report at all;
///   it is counted on its file as dropped, reason `untimed`, and never needs
///   a place in the merge.
/// - Paced replays (`file:PATH@SPEED`) flush whatever is merged whenever a
///   file has nothing ready, so merging adds no delay.
pub(super) async fn merge_by_time(
    mut inputs: Vec<mpsc::Receiver<Batch>>,
    tx: mpsc::Sender<Batch>,
    batch: usize,
) {
    let mut heads: Vec<VecDeque<Report>> = vec![VecDeque::new(); inputs.len()];
    let mut open = vec![true; inputs.len()];
    let mut out: Vec<Report> = Vec::new();
    loop {
        // The earliest report is known only once every open file has shown its next one.
        for (i, input) in inputs.iter_mut().enumerate() {
            while open[i] && heads[i].is_empty() {
                let next = match input.try_recv() {
                    Ok(b) => Some(b),
                    Err(mpsc::error::TryRecvError::Disconnected) => None,
                    Err(mpsc::error::TryRecvError::Empty) => {
                        // About to wait: pass on what is merged so far first.
                        if !out.is_empty() && !send_merged(&tx, &mut out).await {
                            return;
                        }
                        input.recv().await
                    }
                };
                match next {
                    Some(b) => heads[i].extend(b.reports),
                    None => open[i] = false,
                }
            }
        }
        let earliest = heads
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.front().map(|r| (r.time(), i)))
            .min();
        let Some((_, i)) = earliest else { break };
        if let Some(r) = heads[i].pop_front() {
            out.push(r);
        }
        if out.len() >= batch && !send_merged(&tx, &mut out).await {
            return;
        }
    }
    if !out.is_empty() {
        send_merged(&tx, &mut out).await;
    }
}

/// Sends the merged reports on; `false` when the monitor is gone.
async fn send_merged(tx: &mpsc::Sender<Batch>, out: &mut Vec<Report>) -> bool {
    let reports = std::mem::take(out);
    tx.send(Batch {
        reports,
        acks: Vec::new(),
    })
    .await
    .is_ok()
}
