//! Turns for the monitor's input.
//!
//! Every source is a lane: a bounded channel of its own. So is every
//! connection inside a TCP server and every sender to a UDP port, whose
//! lanes take turns into their source's one lane. [`take_turns`] forwards one item from each lane that has one,
//! in rotation, so a lane with much to send gets one turn a round instead of
//! filling the monitor's channel ahead of the others: 256 connections to one
//! TCP server get the server's one turn, beside a UDP receiver's one. A lane
//! that is not served fills up and pushes back on its own source only (a
//! TCP peer waits, a UDP sender's datagram is dropped and counted). Each lane keeps
//! its own order; nothing is dropped here.

use std::task::Poll;

use tokio::sync::mpsc;

/// Forwards the items of every lane to `out`, a lane at a time in rotation.
/// New lanes come on `join` and take their turn in the round under way.
/// Ends when `join` is closed and every lane has ended, or `out` is closed.
pub(crate) async fn take_turns<T>(
    mut join: mpsc::Receiver<mpsc::Receiver<T>>,
    out: mpsc::Sender<T>,
) {
    let mut lanes: Vec<mpsc::Receiver<T>> = Vec::new();
    // The lane whose turn comes next.
    let mut next = 0usize;
    let mut joining = true;
    loop {
        let item = std::future::poll_fn(|cx| {
            while joining {
                match join.poll_recv(cx) {
                    Poll::Ready(Some(lane)) => lanes.push(lane),
                    Poll::Ready(None) => joining = false,
                    Poll::Pending => break,
                }
            }
            let n = lanes.len();
            let mut ended = Vec::new();
            let mut served = None;
            for k in 0..n {
                let i = (next + k) % n;
                match lanes[i].poll_recv(cx) {
                    Poll::Ready(Some(item)) => {
                        served = Some((i, item));
                        break;
                    }
                    Poll::Ready(None) => ended.push(i),
                    Poll::Pending => {}
                }
            }
            // Ended lanes go; the rotation goes on after the lane served
            // (or, if none was, where it was), whichever lanes went.
            let mut after = served
                .as_ref()
                .map_or(if n > 0 { next % n } else { 0 }, |(i, _)| i + 1);
            ended.sort_unstable();
            for i in ended.into_iter().rev() {
                lanes.remove(i);
                if i < after {
                    after -= 1;
                }
            }
            next = after;
            match served {
                Some((_, item)) => Poll::Ready(Some(item)),
                None if lanes.is_empty() && !joining => Poll::Ready(None),
                // Every lane, and `join`, will wake this task.
                None => Poll::Pending,
            }
        })
        .await;
        let Some(item) = item else { return };
        if out.send(item).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::take_turns;
    use tokio::sync::mpsc;

    /// Lanes filled before the turns begin: `(lane, items)`.
    async fn lanes(
        filled: &[(&'static str, usize)],
        cap: usize,
    ) -> (
        mpsc::Sender<mpsc::Receiver<String>>,
        mpsc::Receiver<mpsc::Receiver<String>>,
        Vec<mpsc::Sender<String>>,
    ) {
        let (jtx, jrx) = mpsc::channel(16);
        let mut senders = Vec::new();
        for (name, n) in filled {
            let (tx, rx) = mpsc::channel(cap);
            for i in 0..*n {
                tx.send(format!("{name}{i}")).await.unwrap();
            }
            jtx.send(rx).await.unwrap();
            senders.push(tx);
        }
        (jtx, jrx, senders)
    }

    /// Open finding 8: a busy lane took every turn the shared channel gave
    /// it. Each lane with something to send now gets one turn a round, in
    /// its own order, and nothing is lost.
    #[tokio::test]
    async fn a_busy_lane_gets_one_turn_a_round() {
        let (jtx, jrx, senders) = lanes(&[("a", 5), ("b", 2), ("c", 1)], 8).await;
        drop(senders);
        drop(jtx);
        let (otx, mut orx) = mpsc::channel(64);
        take_turns(jrx, otx).await;
        let mut got = Vec::new();
        while let Some(x) = orx.recv().await {
            got.push(x);
        }
        assert_eq!(
            got,
            ["a0", "b0", "c0", "a1", "b1", "a2", "a3", "a4"],
            "round robin, each lane in order"
        );
    }

    /// A lane that joins while the others are busy is served in the next
    /// round, not after them; the turns end only when every lane has.
    #[tokio::test]
    async fn a_new_lane_is_served_at_once() {
        let (jtx, jrx, senders) = lanes(&[("a", 6)], 8).await;
        let (otx, mut orx) = mpsc::channel(1);
        let turns = tokio::spawn(take_turns(jrx, otx));
        assert_eq!(orx.recv().await.as_deref(), Some("a0"));
        let (ltx, lrx) = mpsc::channel(8);
        ltx.send("late0".to_string()).await.unwrap();
        jtx.send(lrx).await.unwrap();
        drop(jtx);
        let mut got = Vec::new();
        for _ in 0..4 {
            got.push(orx.recv().await.unwrap());
        }
        let at = got.iter().position(|x| x == "late0");
        assert!(at.is_some_and(|i| i <= 2), "{got:?}");
        drop(ltx);
        drop(senders);
        while orx.recv().await.is_some() {}
        turns.await.unwrap();
    }
}
