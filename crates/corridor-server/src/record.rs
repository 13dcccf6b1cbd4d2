//! The public record: figures, voyages, vessels.

use axum::Json;
use axum::extract::State;
use corridor_domain::{DateRange, Imo, Stats};
use corridor_store::{Page, VesselDetail, VoyageQuery, VoyageView};
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

#[derive(Debug, Deserialize)]
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

#[derive(Debug, Deserialize)]
pub struct VoyageParams {
    from: Option<String>,
    until: Option<String>,
    port: Option<String>,
    commodity: Option<String>,
    country: Option<String>,
    imo: Option<String>,
    status: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
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
    let range = RangeParams {
        from: p.from.clone(),
        until: p.until.clone(),
    }
    .range()?;
    let imo = match text(&p.imo) {
        Some(i) => Some(
            Imo::parse_published(&i)
                .map_err(|e| ApiError::BadRequest(format!("imo: {e}")))?
                .get(),
        ),
        None => None,
    };
    if let Some(st) = text(&p.status)
        && !["departed", "inspected"].contains(&st.as_str())
    {
        return Err(ApiError::BadRequest(format!(
            "status: {st:?} is not one of departed, inspected"
        )));
    }
    let limit = number("limit", p.limit.as_deref(), 1..=VoyageQuery::MAX_LIMIT)?;
    let q = VoyageQuery {
        from: range.from,
        until: range.until,
        port: text(&p.port),
        commodity: text(&p.commodity),
        country: text(&p.country),
        imo,
        status: text(&p.status),
        limit,
        offset: number("offset", p.offset.as_deref(), 0..=u32::MAX)?,
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
