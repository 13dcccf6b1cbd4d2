//! Reading lines and decoding them: a source's own decode stage, the
//! capped line reader, and the pump from a byte stream into batches.

use super::*;

/// Decoder + adapter of one source or connection.
pub(crate) struct DecodeStage {
    tag: SourceTag,
    pub(super) decoder: Decoder,
    adapter: Adapter,
    seen_bad: u64,
    seen_dropped: u64,
    seen_not_ais: u64,
    /// Messages that would have given a report but carry no time (and the
    /// source has no wall-clock fallback), not yet counted.
    untimed: u64,
    pub(crate) out: Vec<Report>,
    /// Reports without a tag-block time get the wall clock (live feeds).
    wall_clock_fallback: bool,
}

impl DecodeStage {
    pub(crate) fn new(tag: SourceTag, wall_clock_fallback: bool) -> Self {
        Self {
            tag,
            decoder: Decoder::default(),
            adapter: Adapter::new(),
            seen_bad: 0,
            seen_dropped: 0,
            seen_not_ais: 0,
            untimed: 0,
            out: Vec::new(),
            wall_clock_fallback,
        }
    }

    pub(crate) fn line(&mut self, line: &[u8]) {
        let fallback = self.wall_clock_fallback.then(Timestamp::now);
        let (adapter, out, untimed) = (&mut self.adapter, &mut self.out, &mut self.untimed);
        self.decoder.feed_line(line, |d| {
            if let Some(r) = adapter.adapt(&d, fallback) {
                out.push(r);
            } else if fallback.is_none()
                && d.time_millis().is_none()
                && adapter
                    .adapt_message(&d.message, Timestamp::UNIX_EPOCH)
                    .is_some()
            {
                // A replay cannot place it in time: dropped, and said so.
                *untimed += 1;
            }
        });
    }

    /// Emits the decoder's new rejections and drops as events.
    pub(crate) fn account(&mut self) {
        let s = self.decoder.stats();
        let (bad, dropped) = (s.rejected_total(), s.dropped_total());
        if bad > self.seen_bad {
            self.tag.emit(Event::BadSentences {
                count: bad - self.seen_bad,
            });
            self.seen_bad = bad;
        }
        if dropped > self.seen_dropped {
            self.tag.emit(Event::Dropped {
                count: dropped - self.seen_dropped,
                reason: "fragment",
            });
            self.seen_dropped = dropped;
        }
        if s.not_ais > self.seen_not_ais {
            self.tag.emit(Event::NotAis {
                count: s.not_ais - self.seen_not_ais,
            });
            self.seen_not_ais = s.not_ais;
        }
        if self.untimed > 0 {
            self.tag.emit(Event::Dropped {
                count: std::mem::take(&mut self.untimed),
                reason: "untimed",
            });
        }
    }

    /// Sends what is decoded so far (waits while downstream is full).
    pub(crate) async fn flush(
        &mut self,
        tx: &mpsc::Sender<Batch>,
        acks: Vec<AckHandle>,
    ) -> Result<(), ()> {
        self.account();
        if self.out.is_empty() && acks.is_empty() {
            return Ok(());
        }
        let reports = std::mem::take(&mut self.out);
        let n = reports.len() as u64;
        tx.send(Batch { reports, acks }).await.map_err(|_| ())?;
        self.tag.emit(Event::Forwarded { count: n });
        Ok(())
    }
}

/// Reads lines of at most `max` bytes; longer ones are skipped (counted by the caller).
pub(crate) struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    max: usize,
    discarding: bool,
    eof: bool,
}

/// One read result.
pub(crate) enum Line<'a> {
    Ok(&'a [u8]),
    /// A line over the limit was skipped.
    TooLong,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    pub(crate) fn new(inner: R, max: usize) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            max: max.max(16),
            discarding: false,
            eof: false,
        }
    }

    /// The next line (without its `\n`) and the bytes consumed; `None` at end of input.
    pub(crate) async fn next(&mut self) -> std::io::Result<Option<(Line<'_>, usize)>> {
        self.buf.clear();
        let mut consumed = 0usize;
        loop {
            if self.eof {
                return Ok(None);
            }
            let avail = self.inner.fill_buf().await?;
            if avail.is_empty() {
                self.eof = true;
                // A connection dropped mid-sentence: hand over the fragment; the decoder counts it as bad.
                if !self.buf.is_empty() && !self.discarding {
                    return Ok(Some((Line::Ok(&self.buf), consumed)));
                }
                return Ok(None);
            }
            match avail.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    let was_discarding = self.discarding;
                    if !was_discarding {
                        self.buf.extend_from_slice(&avail[..i]);
                    }
                    self.inner.consume(i + 1);
                    consumed += i + 1;
                    self.discarding = false;
                    if was_discarding {
                        continue;
                    }
                    if self.buf.len() > self.max {
                        return Ok(Some((Line::TooLong, consumed)));
                    }
                    return Ok(Some((Line::Ok(&self.buf), consumed)));
                }
                None => {
                    let n = avail.len();
                    if !self.discarding {
                        self.buf.extend_from_slice(avail);
                    }
                    self.inner.consume(n);
                    consumed += n;
                    if !self.discarding && self.buf.len() > self.max {
                        // Bounded memory: forget the line, skip to its end.
                        self.buf.clear();
                        self.discarding = true;
                        return Ok(Some((Line::TooLong, consumed)));
                    }
                }
            }
        }
    }
}

/// Reads one stream of lines into `tx` until it ends, fails or `cancel` fires.
pub(super) async fn pump<R: AsyncRead + Unpin>(
    reader: R,
    tag: &SourceTag,
    limits: &SourceLimits,
    tx: &mpsc::Sender<Batch>,
    cancel: &CancellationToken,
) -> Result<(), ()> {
    tag.emit(Event::Connection { open: true });
    let r = pump_lines(reader, tag, limits, tx, cancel).await;
    tag.emit(Event::Connection { open: false });
    r
}

async fn pump_lines<R: AsyncRead + Unpin>(
    reader: R,
    tag: &SourceTag,
    limits: &SourceLimits,
    tx: &mpsc::Sender<Batch>,
    cancel: &CancellationToken,
) -> Result<(), ()> {
    let mut lines = LineReader::new(BufReader::with_capacity(64 * 1024, reader), limits.max_line);
    let mut stage = DecodeStage::new(tag.clone(), true);
    loop {
        let next = tokio::select! {
            biased;
            _ = cancel.cancelled() => break,
            n = tokio::time::timeout(limits.idle, lines.next()) => n,
        };
        let Ok(next) = next else {
            tag.emit(Event::Error {
                what: "idle",
                error: &format!("nothing received for {} s: closed", limits.idle.as_secs()),
            });
            break;
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
                // Dropped before decoding, as on every other source: not
                // also a bad sentence.
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
        if stage.out.len() >= limits.batch || lines.inner.buffer().is_empty() {
            stage.flush(tx, Vec::new()).await?;
        }
    }
    stage.decoder.finish();
    stage.flush(tx, Vec::new()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_capped_and_a_cut_line_is_returned() {
        let mut input = Vec::new();
        input.extend_from_slice(b"short\n");
        input.extend(std::iter::repeat_n(b'x', 100_000));
        input.extend_from_slice(b"\nafter\npartial");
        let mut r = LineReader::new(BufReader::with_capacity(64, &input[..]), 32);
        let mut got = Vec::new();
        while let Some((l, _)) = r.next().await.expect("read") {
            got.push(match l {
                Line::Ok(b) => String::from_utf8_lossy(b).into_owned(),
                Line::TooLong => "<too long>".into(),
            });
        }
        assert_eq!(got, ["short", "<too long>", "after", "partial"]);
    }
}
