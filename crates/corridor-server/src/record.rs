//! The public record: figures, voyages, vessels.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use corridor_domain::{DateRange, Imo, Stats};
use corridor_import::write::{Form, TableWriter};
use corridor_store::{Page, StoreError, VesselDetail, VoyageQuery, VoyageStream, VoyageView};
use futures_util::StreamExt;
use jiff::civil::Date;
use serde::Deserialize;

use crate::error::{ApiPath, ApiQuery};
use crate::{ApiError, AppState};

fn date(name: &str, v: Option<&str>) -> Result<Option<Date>, ApiError> {
    v.filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<Date>().map_err(|_| {
                ApiError::BadRequest(format!("{name}: {s:?} is not a date like 2022-08-01"))
            })
        })
        .transpose()
}

/// Only the parameters a route takes: a misspelt one (`form=`, `Port=`)
/// is refused, not answered with the whole record as if it were not asked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeParams {
    from: Option<String>,
    until: Option<String>,
}

impl RangeParams {
    fn range(&self) -> Result<DateRange, ApiError> {
        let r = DateRange {
            from: date("from", self.from.as_deref())?,
            until: date("until", self.until.as_deref())?,
        };
        if let (Some(f), Some(u)) = (r.from, r.until)
            && f > u
        {
            return Err(ApiError::BadRequest(format!(
                "from ({f}) is after until ({u})"
            )));
        }
        Ok(r)
    }
}

/// `GET /api/v1/stats`: the published figures over departures in a date range.
pub async fn stats(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<RangeParams>,
) -> Result<Json<Stats>, ApiError> {
    Ok(Json(s.store.stats(p.range()?).await?))
}

/// What picks voyages, for a page of them and for a download alike.
#[derive(Debug, Deserialize)]
pub struct VoyageFilters {
    from: Option<String>,
    until: Option<String>,
    port: Option<String>,
    commodity: Option<String>,
    country: Option<String>,
    imo: Option<String>,
    status: Option<String>,
    /// Whatever else the query string holds: refused by name
    /// ([`VoyageFilters::refuse_unknown`]). (`deny_unknown_fields` does not
    /// work through `flatten`.)
    #[serde(flatten)]
    unknown: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub struct VoyageParams {
    #[serde(flatten)]
    filters: VoyageFilters,
    limit: Option<String>,
    offset: Option<String>,
}

impl VoyageFilters {
    const NAMES: &str = "from, until, port, commodity, country, imo, status";

    /// A parameter the route does not take, named with those it takes.
    fn refuse_unknown(&self, more: &str) -> Result<(), ApiError> {
        match self.unknown.keys().next() {
            None => Ok(()),
            Some(k) => Err(ApiError::BadRequest(format!(
                "query string: unknown parameter {k:?} (this route takes {}, {more})",
                Self::NAMES
            ))),
        }
    }

    /// The query these filters ask, paging left to the caller.
    fn query(&self) -> Result<VoyageQuery, ApiError> {
        let range = RangeParams {
            from: self.from.clone(),
            until: self.until.clone(),
        }
        .range()?;
        let imo = match text(&self.imo) {
            Some(i) => Some(
                Imo::parse_published(&i)
                    .map_err(|e| ApiError::BadRequest(format!("imo: {e}")))?
                    .get(),
            ),
            None => None,
        };
        if let Some(st) = text(&self.status)
            && !["departed", "inspected"].contains(&st.as_str())
        {
            return Err(ApiError::BadRequest(format!(
                "status: {st:?} is not one of departed, inspected"
            )));
        }
        Ok(VoyageQuery {
            from: range.from,
            until: range.until,
            port: name("port", &self.port)?,
            commodity: name("commodity", &self.commodity)?,
            country: name("country", &self.country)?,
            imo,
            status: text(&self.status),
            ..VoyageQuery::default()
        })
    }
}

/// A whole number in `range`; the refusal names the range whatever is
/// wrong (the interface check, session 19: `limit=0` and `limit=5000` were
/// told different ranges).
fn number(
    name: &str,
    v: Option<&str>,
    range: std::ops::RangeInclusive<u32>,
) -> Result<Option<u32>, ApiError> {
    v.filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<u32>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "{name}: {s:?} is not a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ))
                })
        })
        .transpose()
}

/// A name to filter by: plain text (a NUL byte was a 500 on PostgreSQL,
/// and a download already under way cut short).
fn name(field: &str, v: &Option<String>) -> Result<Option<String>, ApiError> {
    let v = text(v);
    if let Some(problem) = v
        .as_deref()
        .and_then(|t| corridor_domain::text::plain_text_problem(t, 200, &[]))
    {
        return Err(ApiError::BadRequest(format!("{field}: {problem}")));
    }
    Ok(v)
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `GET /api/v1/voyages`: filtered, paginated, newest departure first.
pub async fn voyages(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<VoyageParams>,
) -> Result<Json<Page<VoyageView>>, ApiError> {
    p.filters.refuse_unknown("limit, offset")?;
    let q = VoyageQuery {
        limit: number("limit", p.limit.as_deref(), 1..=VoyageQuery::MAX_LIMIT)?,
        offset: number("offset", p.offset.as_deref(), 0..=u32::MAX)?,
        ..p.filters.query()?
    };
    Ok(Json(s.store.voyages(&q).await?))
}

/// `GET /api/v1/vessels/{imo}`: a vessel, its voyages and their history.
pub async fn vessel(
    State(s): State<AppState>,
    ApiPath(imo): ApiPath<String>,
) -> Result<Json<VesselDetail>, ApiError> {
    let imo = Imo::parse_published(&imo).map_err(|e| ApiError::BadRequest(format!("imo: {e}")))?;
    s.store
        .vessel(imo)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no vessel with IMO {imo} in the record")))
}

#[derive(Debug, Deserialize)]
pub struct ExportParams {
    #[serde(flatten)]
    filters: VoyageFilters,
    format: Option<String>,
    /// Refused: a download is the whole selection (they were taken and
    /// ignored, so a caller asking for a page got everything).
    limit: Option<String>,
    offset: Option<String>,
}

/// `GET /api/v1/voyages/export`: every voyage the filters pick, whole with
/// its cargo lines, in the JCC's own table (`format=csv`, the default, which
/// `corridor import jcc` reads back; or `json`, typed), streamed as it is
/// read. A failure part-way cuts the response short rather than ending it
/// as if it were whole.
pub async fn export(
    State(s): State<AppState>,
    version: axum::http::Version,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    // HTTP/1.0 ends a body by closing the connection, so a download the
    // database cut short would look whole (a proxy speaks it by default).
    if version < axum::http::Version::HTTP_11 {
        return Err(ApiError::HttpVersion(
            "the download is streamed in HTTP/1.1 chunks, which tell a download cut short from a whole one: \
             ask over HTTP/1.1 or later (behind nginx: proxy_http_version 1.1)"
                .into(),
        ));
    }
    p.filters.refuse_unknown("format")?;
    let format = match text(&p.format).as_deref() {
        None | Some("csv") => Form::Csv,
        Some("json") => Form::Json,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "format: {other:?} is not one of csv, json"
            )));
        }
    };
    for (field, v) in [("limit", &p.limit), ("offset", &p.offset)] {
        if v.is_some() {
            return Err(ApiError::BadRequest(format!(
                "{field}: a download holds every voyage the filters pick; page through /api/v1/voyages instead"
            )));
        }
    }
    let q = p.filters.query()?;
    let permit = s.exports.clone().try_acquire_owned().map_err(|_| {
        ApiError::Busy(
            format!(
                "{} downloads of the record are under way, as many as this server serves at once; try again shortly",
                crate::EXPORTS_AT_ONCE
            ),
            30,
        )
    })?;
    let name = download_name(&q, format);
    // The first voyage (or the query's failure) before the status: a
    // request the database refuses is an error response, not a download
    // cut short after its header row.
    let mut voyages = s.store.export(q);
    let first = match voyages.next().await {
        Some(Err(e)) => return Err(e.into()),
        first => first,
    };
    let voyages: VoyageStream = Box::pin(futures_util::stream::iter(first).chain(voyages));
    let body = table_body(voyages, format, permit);
    Ok((
        [
            (header::CONTENT_TYPE, content_type(format)),
            (header::CONTENT_DISPOSITION, &attachment(&name)),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

fn content_type(form: Form) -> &'static str {
    match form {
        Form::Csv => "text/csv; charset=utf-8",
        Form::Json => "application/json",
    }
}

/// `corridor-voyages-2022-08-01-to-2023-06-14.csv`, `…-all.json`, with
/// the other filters after (`…-all-country-TUR-commodity-Wheat.csv`): two
/// downloads of different selections are not saved under one name.
fn download_name(q: &VoyageQuery, format: Form) -> String {
    let span = match (q.from, q.until) {
        (None, None) => "all".to_string(),
        (f, u) => format!(
            "{}-to-{}",
            f.map_or("start".into(), |d| d.to_string()),
            u.map_or("end".into(), |d| d.to_string())
        ),
    };
    let ext = match format {
        Form::Csv => "csv",
        Form::Json => "json",
    };
    // Letters and digits only, in any script (`Türkiye`): the header gives
    // the name as UTF-8 (`filename*`) beside an ASCII one.
    let slug = |s: &str| -> String {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    };
    let imo = q.imo.map(|i| i.to_string());
    let mut name = format!("corridor-voyages-{span}");
    for (key, value) in [
        ("port", q.port.as_deref()),
        ("commodity", q.commodity.as_deref()),
        ("country", q.country.as_deref()),
        ("imo", imo.as_deref()),
        ("status", q.status.as_deref()),
    ] {
        if let Some(v) = value.map(slug).filter(|v| !v.is_empty()) {
            name.push_str(&format!("-{key}-{v}"));
        }
    }
    format!("{name}.{ext}")
}

/// `Content-Disposition` for a file named `name`: as it is when it is
/// ASCII; else an ASCII stand-in (`_` for each other character) and the
/// name itself as UTF-8, percent-encoded (RFC 6266's `filename*`).
fn attachment(name: &str) -> String {
    if name.is_ascii() {
        return format!("attachment; filename=\"{name}\"");
    }
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, UNRESERVED);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Bytes left as they are in a percent-encoded value: RFC 3986's unreserved.
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Bytes gathered before they are sent: fewer, larger writes.
const CHUNK: usize = 64 * 1024;

/// The table's text, a chunk at a time, as the voyages arrive. The permit
/// is held until the last chunk is sent or the reader goes away.
fn table_body(
    voyages: VoyageStream,
    form: Form,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, StoreError>> + Send {
    /// The voyages still to read and the table they go into; both `None`
    /// once the last chunk is sent.
    type State = (
        Option<(VoyageStream, TableWriter)>,
        tokio::sync::OwnedSemaphorePermit,
    );
    let table = Some((voyages, TableWriter::new(form)));
    let failed = |e: std::io::Error| StoreError::Corrupt(e.to_string());
    // Fused: a layer (compression) may ask again after the end, which a
    // bare `unfold` answers with a panic.
    futures_util::stream::unfold::<State, _, _, _>((table, permit), move |(st, permit)| async move {
        let (mut voyages, mut table) = st?;
        while table.len() < CHUNK {
            match voyages.next().await {
                Some(Ok(v)) => {
                    if let Err(e) = table.voyage(&v) {
                        return Some((Err(failed(e)), (None, permit)));
                    }
                }
                Some(Err(e)) => {
                    tracing::error!(error = %e, rows = table.rows(), "a download of the record failed part-way");
                    return Some((Err(e), (None, permit)));
                }
                None => return Some((table.finish().map_err(failed), (None, permit))),
            }
        }
        let chunk = table.take().map_err(failed);
        Some((chunk, (Some((voyages, table)), permit)))
    })
    .fuse()
}
