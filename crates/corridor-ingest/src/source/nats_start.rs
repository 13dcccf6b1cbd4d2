//! What a NATS source is asked before the pipeline starts: whether its
//! stream and durable consumer can ever give it its subject (refused at
//! start, not retried for ever), and when the backlog it will replay
//! begins (so a restart resumes each vessel from before the backlog, not
//! from before the wall clock; open finding 42).

use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use jiff::Timestamp;

use super::NatsSpec;

/// How long the start waits for a server that does not answer: the
/// source then starts as before and retries on its own.
const START_CHECK: Duration = Duration::from_secs(5);

/// Whether every message on `subject` is one a stream taking `pattern`
/// stores (NATS wildcards: `*` one token, `>` one or more at the end).
pub(crate) fn subject_within(subject: &str, pattern: &str) -> bool {
    let mut s = subject.split('.');
    let mut p = pattern.split('.');
    loop {
        match (s.next(), p.next()) {
            (None, None) => return true,
            // `>` takes the rest, one token or more.
            (Some(_), Some(">")) => return true,
            (Some(">"), Some(_)) => return false,
            (Some(_), Some("*")) => {}
            (Some(st), Some(pt)) if st == pt => {}
            _ => return false,
        }
    }
}

/// Why a stream or durable can never give the spec its subject.
pub(crate) fn check_names(
    spec: &NatsSpec,
    stream_subjects: &[String],
    durable_reads: Option<&[String]>,
) -> Result<(), String> {
    // A stream with no subjects of its own (a mirror, or one that sources
    // others) holds its sources' subjects: not judged here.
    if !stream_subjects.is_empty()
        && !stream_subjects
            .iter()
            .any(|p| subject_within(&spec.subject, p))
    {
        return Err(format!(
            "stream {:?} takes the subjects {:?}, and {:?} is not among them: \
             name a subject it takes, or add this one to the stream",
            spec.stream, stream_subjects, spec.subject
        ));
    }
    // A durable with no filter reads the whole stream: the source's
    // subject alone only if that is all the stream takes.
    let whole_stream_is_the_subject =
        stream_subjects.len() == 1 && stream_subjects[0] == spec.subject;
    if let Some(reads) = durable_reads
        && !(reads.len() == 1 && reads[0] == spec.subject)
        && !(reads.is_empty() && whole_stream_is_the_subject)
    {
        return Err(format!(
            "durable consumer {:?} of stream {:?} reads {}, not {:?}: \
             name another durable, or remove this one (`nats consumer rm`)",
            spec.durable,
            spec.stream,
            if reads.is_empty() {
                format!("the whole stream ({stream_subjects:?})")
            } else {
                format!("{reads:?}")
            },
            spec.subject
        ));
    }
    Ok(())
}

/// The subjects a durable consumer reads (none: the whole stream).
pub(crate) fn durable_reads(info: &consumer::Info) -> Vec<String> {
    let c = &info.config;
    if !c.filter_subjects.is_empty() {
        c.filter_subjects.clone()
    } else if c.filter_subject.is_empty() {
        Vec::new()
    } else {
        vec![c.filter_subject.clone()]
    }
}

/// Checks the spec against the server if it answers within
/// [`START_CHECK`]; `Ok(Some(t))`: the first message the durable has not
/// acknowledged carries a report of time `t`. A server that cannot be
/// asked, a stream not made yet or nothing waiting is `Ok(None)`.
pub(crate) async fn start_check(spec: &NatsSpec) -> Result<Option<Timestamp>, String> {
    match tokio::time::timeout(START_CHECK, ask(spec)).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            tracing::warn!(stream = %spec.stream, error = %e, "NATS could not be asked at start: the source retries on its own");
            Ok(None)
        }
        Err(_) => {
            tracing::warn!(stream = %spec.stream, "NATS did not answer at start: the source retries on its own");
            Ok(None)
        }
    }
}

/// The outer error: the server could not be asked; the inner: its answer.
async fn ask(spec: &NatsSpec) -> Result<Result<Option<Timestamp>, String>, String> {
    let client = async_nats::connect(&spec.url)
        .await
        .map_err(|e| e.to_string())?;
    let js = jetstream::new(client);
    let stream = match js.get_stream(&spec.stream).await {
        Ok(s) => s,
        Err(e)
            if matches!(e.kind(), jetstream::context::GetStreamErrorKind::JetStream(j)
                if j.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND) =>
        {
            // Not there yet: the source makes it with the spec's subject.
            return Ok(Ok(None));
        }
        Err(e) => return Err(e.to_string()),
    };
    // A push consumer of that name can never be pulled from.
    let durable = match stream.consumer_info(&spec.durable).await {
        Ok(info) if info.config.deliver_subject.is_some() => {
            return Ok(Err(format!(
                "durable consumer {:?} of stream {:?} is a push consumer; the source pulls: \
                 name another durable, or remove this one (`nats consumer rm`)",
                spec.durable, spec.stream
            )));
        }
        Ok(info) => Some(info),
        Err(_) => None,
    };
    let reads = durable.as_ref().map(durable_reads);
    if let Err(why) = check_names(
        spec,
        &stream.cached_info().config.subjects,
        reads.as_deref(),
    ) {
        return Ok(Err(why));
    }
    // Where the feed resumes. After a crash the durable first delivers
    // what it never delivered, and what it delivered but had not seen
    // acknowledged only after its ack wait, behind it (already stored, and
    // stale by then): so the first undelivered message, or with none the
    // last delivered one. A new durable starts at the stream's first.
    let from = match &durable {
        Some(i) if i.num_pending == 0 && i.num_ack_pending == 0 => return Ok(Ok(None)),
        Some(i) if i.num_pending > 0 => i.delivered.stream_sequence + 1,
        Some(i) => i.delivered.stream_sequence.max(1),
        None => 1,
    };
    // The earliest of the first reports that carry their own time, leaving
    // out one far before the rest (a GPS week rollover puts a receiver
    // 19.6 years back): a line with no time, or such a one, does not move
    // the resume point.
    let mut times = Vec::new();
    let mut seq = from;
    for _ in 0..RESUME_MESSAGES {
        let Ok(m) = stream
            .get_first_raw_message_by_subject(&spec.subject, seq)
            .await
        else {
            break;
        };
        seq = m.sequence + 1;
        times.extend(report_times(&m.payload));
        if times.len() >= RESUME_REPORTS {
            break;
        }
    }
    Ok(Ok(earliest_believable(times)))
}

/// The earliest of `times` no more than a day before their median.
fn earliest_believable(mut times: Vec<Timestamp>) -> Option<Timestamp> {
    times.sort_unstable();
    let median = *times.get(times.len() / 2)?;
    let floor = median
        .checked_sub(jiff::SignedDuration::from_hours(24))
        .ok()?;
    times.into_iter().find(|t| *t >= floor)
}

/// How many messages, and timed reports, the resume point is read from.
const RESUME_MESSAGES: usize = 64;
const RESUME_REPORTS: usize = 15;

/// The times of the reports in a message's lines that carry their own (a
/// tag block's `c:`); one without is timed when it is received.
fn report_times(payload: &[u8]) -> Vec<Timestamp> {
    let mut decoder = corridor_ais::Decoder::default();
    let mut found = Vec::new();
    for line in payload.split(|&b| b == b'\n') {
        decoder.feed_line(line.trim_ascii(), |d| {
            if let Some(t) = d
                .time_millis()
                .and_then(|ms| Timestamp::from_millisecond(ms).ok())
            {
                found.push(t);
            }
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_within_a_stream() {
        for (s, p, within) in [
            ("ais.raw", "ais.raw", true),
            ("ais.raw", "ais.*", true),
            ("ais.raw", "ais.>", true),
            ("ais.raw.tr", "ais.>", true),
            ("ais", "ais.>", false),
            ("ais.raw.tr", "ais.*", false),
            ("ais.*", "ais.*", true),
            ("ais.*", "ais.>", true),
            ("ais.>", "ais.*", false),
            ("ais.>", "ais.>", true),
            ("ais.raw", "ais.other", false),
            ("ais.raw", ">", true),
            ("ais*", "ais.*", false),
        ] {
            assert_eq!(subject_within(s, p), within, "{s} within {p}");
        }
    }

    fn spec(subject: &str) -> NatsSpec {
        NatsSpec {
            url: String::new(),
            stream: "AIS".into(),
            subject: subject.into(),
            durable: "tracker".into(),
        }
    }

    #[test]
    fn a_stream_or_durable_that_never_gives_the_subject_is_named() {
        let stream = vec!["ais.a".to_string(), "ais.b.>".to_string()];
        assert!(check_names(&spec("ais.b.x"), &stream, None).is_ok());
        let e = check_names(&spec("ais.c"), &stream, None).unwrap_err();
        assert!(e.contains("\"ais.c\" is not among them"), "{e}");
        let reads = vec!["ais.a".to_string()];
        assert!(check_names(&spec("ais.a"), &stream, Some(&reads)).is_ok());
        let e = check_names(&spec("ais.b.x"), &stream, Some(&reads)).unwrap_err();
        assert!(e.contains("reads [\"ais.a\"], not \"ais.b.x\""), "{e}");
        // A durable on the whole stream reads every subject: the source's
        // alone only if the stream takes nothing else.
        let e = check_names(&spec("ais.b.x"), &stream, Some(&[])).unwrap_err();
        assert!(e.contains("reads the whole stream"), "{e}");
        assert!(check_names(&spec("ais.a"), &["ais.a".to_string()], Some(&[])).is_ok());
        // A mirror has no subjects of its own.
        assert!(check_names(&spec("ais.c"), &[], None).is_ok());
    }

    #[test]
    fn a_backlog_resumes_at_its_earliest_believable_time() {
        let t = |s: &str| s.parse::<Timestamp>().expect("time");
        let times = vec![
            t("2026-11-27T21:10:00Z"),
            t("2007-04-13T21:05:00Z"), // a GPS week rollover
            t("2026-11-27T21:00:00Z"),
            t("2026-11-27T23:00:00Z"),
        ];
        assert_eq!(earliest_believable(times), Some(t("2026-11-27T21:00:00Z")));
        assert_eq!(earliest_believable(vec![]), None);
    }

    #[test]
    fn a_messages_reports_are_timed_by_their_own_times() {
        let time: Timestamp = "2022-10-01T06:00:00Z".parse().expect("time");
        let report = corridor_track::Report::Position(corridor_track::PositionReport {
            mmsi: 271_000_001,
            time,
            lat: 41.0,
            lon: 29.0,
            sog_kn: Some(10.0),
            cog_deg: None,
            heading_deg: None,
            nav_status: corridor_track::NavStatus::UNDER_WAY,
        });
        let line = crate::sim::NmeaEncoder::new(&[], "t").encode(&report);
        let payload = format!("$GPZDA,not,ais\n{line}");
        assert_eq!(report_times(payload.as_bytes()), vec![time]);
        assert_eq!(report_times(b"not ais\n"), vec![]);
    }
}
