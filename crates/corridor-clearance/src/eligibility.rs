//! Eligibility rules (from configuration, and a valid IMO number). Every
//! failure says why.

use crate::application::{ApplicationContent, DocumentProblem, check_documents};
use crate::config::CorridorConfig;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One reason an application is not eligible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Ineligibility {
    /// Submitted too late before the ETA at the inspection area.
    #[error(
        "submitted {notice_hours} h before arrival at the inspection area; at least {required_hours} h are required"
    )]
    NoticeTooShort {
        notice_hours: i64,
        required_hours: i64,
    },
    /// No cargo lines.
    #[error("the cargo plan is empty")]
    NoCargo,
    /// A commodity the configuration does not know.
    #[error("commodity {commodity} is not known to this corridor")]
    UnknownCommodity { commodity: String },
    /// A commodity of a category that is not allowed.
    #[error("commodity {commodity} ({category}) is not allowed; allowed: {allowed}")]
    CargoNotAllowed {
        commodity: String,
        category: String,
        allowed: String,
    },
    /// A parcel below the minimum.
    #[error(
        "parcel of {tonnes} t of {commodity} is below the minimum of {min_tonnes} t for {category}"
    )]
    ParcelTooSmall {
        commodity: String,
        category: String,
        tonnes: u64,
        min_tonnes: u64,
    },
    /// More port calls than the form takes.
    #[error("{count} port calls declared; at most {max}")]
    TooManyPortCalls { count: usize, max: usize },
    /// A call at a banned port after the cut-off.
    #[error("called at {locode} ({label}) on {departed}, after {since}")]
    BannedPortCall {
        locode: String,
        label: String,
        departed: String,
        since: String,
    },
    /// The vessel's IMO number is not one (seven digits, the last a check
    /// digit): the record, the registry and tracking's identity check all
    /// go by it.
    #[error("vessel IMO number {imo:?}: {problem}")]
    InvalidImo { imo: String, problem: String },
    /// The port is not one of the corridor's.
    #[error("port {port} is not served by this corridor")]
    UnknownPort { port: String },
    /// A document problem.
    #[error("{problem}")]
    Document { problem: DocumentProblem },
    /// A declared value no vessel or voyage could have (a blank name, an
    /// unknown country, more cargo than the ship carries, a port call that
    /// leaves before it arrives): the parties would be asked to sign it.
    #[error("{field}: {problem}")]
    Implausible { field: String, problem: String },
}

/// The most crew and passengers a cargo ship in the corridor declares.
const MAX_ON_BOARD: u32 = 1_000;

/// What no vessel or voyage could declare, each with its field.
fn implausible(content: &ApplicationContent) -> Vec<Ineligibility> {
    let mut out = Vec::new();
    let mut say = |field: &str, problem: String| {
        out.push(Ineligibility::Implausible {
            field: field.into(),
            problem,
        })
    };
    let v = &content.vessel;
    if v.name.trim().is_empty() {
        say("vessel.name", "is blank".into());
    }
    let country =
        |code: &str| corridor_domain::country::lookup(code).filter(|c| c.alpha2 == code.trim());
    if country(&v.flag).is_none() {
        say(
            "vessel.flag",
            format!("{:?} is not an ISO 3166 alpha-2 country code", v.flag),
        );
    }
    let dest = &content.itinerary.destination_country;
    if country(dest).is_none() {
        say(
            "itinerary.destination_country",
            format!("{dest:?} is not an ISO 3166 alpha-2 country code"),
        );
    }
    if v.deadweight_tonnes == 0 {
        say("vessel.deadweight_tonnes", "is 0".into());
    }
    let cargo: u128 = content.cargo.iter().map(|l| u128::from(l.tonnes)).sum();
    if v.deadweight_tonnes > 0 && cargo > u128::from(v.deadweight_tonnes) {
        say(
            "cargo",
            format!(
                "{cargo} t is more than the vessel's deadweight of {} t",
                v.deadweight_tonnes
            ),
        );
    }
    if content.crew_count == 0 || content.crew_count > MAX_ON_BOARD {
        say(
            "crew_count",
            format!("{} is not from 1 to {MAX_ON_BOARD}", content.crew_count),
        );
    }
    if content.passenger_count > MAX_ON_BOARD {
        say(
            "passenger_count",
            format!("{} is more than {MAX_ON_BOARD}", content.passenger_count),
        );
    }
    for (i, call) in content.last_port_calls.iter().enumerate() {
        let field = format!("last_port_calls[{i}]");
        if call.departed < call.arrived {
            say(&field, "departs before it arrives".into());
        }
        // (It may depart after the application is made: the vessel may
        // still be in that port.)
        if call.departed > content.eta_inspection_area {
            say(
                &field,
                "departs after the vessel's ETA at the inspection area".into(),
            );
        }
    }
    out
}

/// Checks `content` submitted at `submitted_at`; all failures are returned.
pub fn check_eligibility(
    content: &ApplicationContent,
    config: &CorridorConfig,
    submitted_at: Timestamp,
) -> Result<(), Vec<Ineligibility>> {
    let rules = &config.eligibility;
    let mut out = Vec::new();

    let notice_seconds = content
        .eta_inspection_area
        .as_second()
        .saturating_sub(submitted_at.as_second());
    let required_seconds = rules.min_notice_hours.saturating_mul(3600);
    if notice_seconds < required_seconds {
        out.push(Ineligibility::NoticeTooShort {
            notice_hours: notice_seconds.div_euclid(3600),
            required_hours: rules.min_notice_hours,
        });
    }

    if let Err(e) = content.vessel.imo.parse::<corridor_domain::Imo>() {
        out.push(Ineligibility::InvalidImo {
            imo: content.vessel.imo.clone(),
            problem: e.to_string(),
        });
    }

    if !config.ports.contains(&content.itinerary.port) {
        out.push(Ineligibility::UnknownPort {
            port: content.itinerary.port.clone(),
        });
    }

    if content.cargo.is_empty() {
        out.push(Ineligibility::NoCargo);
    }
    for line in &content.cargo {
        let Some(category) = rules.commodities.get(&line.commodity) else {
            out.push(Ineligibility::UnknownCommodity {
                commodity: line.commodity.clone(),
            });
            continue;
        };
        if !rules.allowed_categories.contains(category) {
            out.push(Ineligibility::CargoNotAllowed {
                commodity: line.commodity.clone(),
                category: category.clone(),
                allowed: rules.allowed_categories.join(", "),
            });
            continue;
        }
        if let Some(&min) = rules.min_parcel_tonnes.get(category) {
            if line.tonnes < min {
                out.push(Ineligibility::ParcelTooSmall {
                    commodity: line.commodity.clone(),
                    category: category.clone(),
                    tonnes: line.tonnes,
                    min_tonnes: min,
                });
            }
        }
    }

    if content.last_port_calls.len() > rules.max_port_calls {
        out.push(Ineligibility::TooManyPortCalls {
            count: content.last_port_calls.len(),
            max: rules.max_port_calls,
        });
    }
    for call in &content.last_port_calls {
        for ban in &rules.banned_port_calls {
            if ban
                .locodes
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&call.locode))
                && call.departed >= ban.since
            {
                out.push(Ineligibility::BannedPortCall {
                    locode: call.locode.clone(),
                    label: ban.label.clone(),
                    departed: corridor_ledger::time::format(call.departed),
                    since: corridor_ledger::time::format(ban.since),
                });
            }
        }
    }

    out.extend(implausible(content));
    out.extend(
        check_documents(content, config)
            .into_iter()
            .map(|problem| Ineligibility::Document { problem }),
    );

    if out.is_empty() { Ok(()) } else { Err(out) }
}
