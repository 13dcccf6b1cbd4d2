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
    if let Some(reads) = durable_reads
        && !reads.is_empty()
        && !(reads.len() == 1 && reads[0] == spec.subject)
    {
        return Err(format!(
            "durable consumer {:?} of stream {:?} reads {:?}, not {:?}: \
             name another durable, or remove this one (`nats consumer rm`)",
            spec.durable, spec.stream, reads, spec.subject
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
    let durable = stream
        .get_consumer::<consumer::pull::Config>(&spec.durable)
        .await
        .ok();
    let reads = durable.as_ref().map(|c| durable_reads(c.cached_info()));
    if let Err(why) = check_names(
        spec,
        &stream.cached_info().config.subjects,
        reads.as_deref(),
    ) {
        return Ok(Err(why));
    }
    // A new durable starts at the stream's first message.
    let from = match &durable {
        Some(c) => {
            let i = c.cached_info();
            if i.num_pending == 0 && i.num_ack_pending == 0 {
                return Ok(Ok(None));
            }
            i.ack_floor.stream_sequence + 1
        }
        None => 1,
    };
    let Ok(first) = stream
        .get_first_raw_message_by_subject(&spec.subject, from)
        .await
    else {
        return Ok(Ok(None));
    };
    Ok(Ok(first_report_time(&first.payload)))
}

/// The time of the first report in a message's lines that carries its own
/// (a tag block's `c:`); one without is timed when it is received.
fn first_report_time(payload: &[u8]) -> Option<Timestamp> {
    let mut decoder = corridor_ais::Decoder::default();
    let mut found = None;
    for line in payload.split(|&b| b == b'\n') {
        decoder.feed_line(line.trim_ascii(), |d| {
            if found.is_none() {
                found = d.time_millis();
            }
        });
        if found.is_some() {
            break;
        }
    }
    found.and_then(|ms| Timestamp::from_millisecond(ms).ok())
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
        // A durable on the whole stream reads every subject.
        assert!(check_names(&spec("ais.b.x"), &stream, Some(&[])).is_ok());
        // A mirror has no subjects of its own.
        assert!(check_names(&spec("ais.c"), &[], None).is_ok());
    }

    #[test]
    fn a_backlogs_first_time_is_its_first_timed_report() {
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
        let payload = format!("not ais\n{line}");
        assert_eq!(first_report_time(payload.as_bytes()), Some(time));
        assert_eq!(first_report_time(b"not ais\n"), None);
    }
}
