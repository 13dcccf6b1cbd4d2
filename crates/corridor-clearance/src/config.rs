//! Corridor configuration: parties, consensus, deadlines, eligibility rules,
//! the document checklist and the inspection checklist, deserialised from TOML
//! (`config/parties-bsgi.toml`, `config/parties-unvim.toml`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A delegation whose signed decision counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Short code, e.g. `UA`; it is what decisions and keys name.
    pub code: String,
    /// Display name.
    pub name: String,
    /// The party's first public key (SPKI PEM or base64 of the 32 bytes),
    /// exchanged out of band. When set, no other key can become the party's
    /// first; every later key needs the party's own endorsement anyway
    /// ([`corridor_ledger::key_events`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_key: Option<String>,
}

/// How the parties' decisions combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum ConsensusRule {
    /// Every party must approve; any rejection rejects.
    #[default]
    Unanimity,
    /// At least `approvals` parties must approve; the application is rejected
    /// as soon as so many have rejected that the quorum can no longer be met.
    Quorum { approvals: u32 },
}

/// Port calls that make a vessel ineligible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BannedPortCalls {
    /// Why (shown in the refusal), e.g. "Crimean ports".
    pub label: String,
    /// UN/LOCODEs (five characters, e.g. `UASVP`).
    pub locodes: Vec<String>,
    /// Calls on or after this instant count.
    pub since: Timestamp,
}

/// Eligibility rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Minimum time between submission and the ETA at the inspection area.
    pub min_notice_hours: i64,
    /// Cargo categories allowed (e.g. grain, foodstuffs, fertiliser).
    pub allowed_categories: Vec<String>,
    /// Commodity name → category.
    pub commodities: BTreeMap<String, String>,
    /// Minimum tonnes of one cargo line (parcel), by category.
    #[serde(default)]
    pub min_parcel_tonnes: BTreeMap<String, u64>,
    /// At most this many previous port calls are declared (the last 10).
    #[serde(default = "default_port_calls")]
    pub max_port_calls: usize,
    /// Port-call history rules.
    #[serde(default)]
    pub banned_port_calls: Vec<BannedPortCalls>,
}

fn default_port_calls() -> usize {
    10
}

fn default_max_versions() -> u32 {
    10
}

/// The per-corridor document checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Documents {
    /// Largest accepted file.
    pub max_file_bytes: u64,
    /// Most files of one kind stored for one application, replaced
    /// versions included (the log names each by its hash, so none is
    /// deleted): a bound on what one applicant can make the centre keep.
    #[serde(default = "default_max_versions")]
    pub max_versions_per_kind: u32,
    /// Kinds that must be present.
    pub required: Vec<String>,
    /// Kinds that may be present in addition.
    #[serde(default)]
    pub optional: Vec<String>,
}

/// One item of the joint inspection team's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckItem {
    /// Short id the recorded result names, e.g. `gas`.
    pub id: String,
    /// What the team confirms, as the inspector's screen shows it.
    pub label: String,
}

/// What an inspection covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct InspectionRules {
    /// Items the team confirms; a pass needs every one, and the record
    /// keeps which were confirmed (a failure may confirm some).
    #[serde(default)]
    pub checklist: Vec<CheckItem>,
    /// Which approved vessels are inspected.
    #[serde(default)]
    pub policy: InspectionPolicy,
}

/// Which approved vessels are inspected before they may sail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum InspectionPolicy {
    /// Every approved vessel waits for a passed inspection (the JCC's rule).
    #[default]
    EveryVessel,
    /// An approved vessel is cleared on its papers and may sail; the
    /// coordinator requires an inspection, with its cause, where the papers
    /// or tracking give one, and a second one if doubts persist (UNVIM's
    /// rule).
    OnCause,
}

/// Timing of decisions and clearances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    /// Each party must decide within this many hours of the review starting
    /// (or of a hold being released / the application amended). Time while
    /// the corridor is suspended does not count.
    pub decision_deadline_hours: i64,
    /// An approval lapses if the vessel is not inspected (or departs, where
    /// there is no inspection) within this many hours of approval (or of
    /// what `validity_from` names).
    pub clearance_validity_hours: i64,
    /// When the clearance's hours start.
    #[serde(default)]
    pub validity_from: ValidityFrom,
}

/// When a clearance's validity starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ValidityFrom {
    /// The approval (the JCC's).
    #[default]
    Approval,
    /// The vessel's recorded arrival at the inspection area, where it
    /// waits at anchor (UNVIM's "20 days from arrival at the anchorage"),
    /// or the approval if it arrived before; until an arrival is
    /// recorded, the later of the approval and the ETA the agent declared.
    AreaArrival,
}

/// A corridor's whole clearance configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorridorConfig {
    /// Short id, e.g. `bsgi`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Tracking numbers are `<prefix>-<year>-<6 digits>`.
    pub tracking_prefix: String,
    /// Where vessels are inspected (the ETA refers to it).
    pub inspection_area: String,
    /// Ports served (UN/LOCODE).
    pub ports: Vec<String>,
    /// Every voyage is inspected before it enters the port (UNVIM): none
    /// is bound out, whatever its itinerary names after the port.
    #[serde(default)]
    pub inbound_only: bool,
    /// The delegations.
    pub parties: Vec<Party>,
    /// How decisions combine.
    #[serde(default)]
    pub consensus: ConsensusRule,
    /// Deadlines.
    pub timing: Timing,
    /// Eligibility rules.
    pub eligibility: Eligibility,
    /// Document checklist.
    pub documents: Documents,
    /// The inspection checklist (none if absent).
    #[serde(default)]
    pub inspection: InspectionRules,
}

/// Why a configuration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// TOML syntax or shape.
    #[error("configuration does not parse: {0}")]
    Parse(String),
    /// No parties.
    #[error("a corridor needs at least one party")]
    NoParties,
    /// Party codes repeat.
    #[error("party {0} is listed twice")]
    DuplicateParty(String),
    /// A quorum that cannot be met or is zero.
    #[error("quorum of {approvals} is impossible with {parties} parties")]
    BadQuorum { approvals: u32, parties: usize },
    /// A category used but not allowed, or a commodity of an unknown category.
    #[error("commodity {commodity} has category {category}, which is not a known category")]
    UnknownCategory { commodity: String, category: String },
    /// A non-positive duration or bound.
    #[error("{0} must be positive")]
    NonPositive(&'static str),
    /// A party's `first_key` is not a public key.
    #[error("party {party}: first_key: {reason}")]
    BadFirstKey { party: String, reason: String },
    /// An inspection checklist item without an id or label, or listed twice.
    #[error("inspection.checklist: {0}")]
    BadCheckItem(String),
}

impl CorridorConfig {
    /// Whether a voyage is bound in, inspected before it reaches the
    /// corridor's port: one whose destination is one of the ports, or any
    /// voyage of an inbound-only corridor. Anything else leaves laden and
    /// is inspected before it leaves the corridor.
    pub fn bound_in(&self, itinerary: &crate::Itinerary) -> bool {
        self.inbound_only || self.ports.contains(&itinerary.to_port)
    }

    /// Parses and validates TOML.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let c: CorridorConfig =
            toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        c.validate()?;
        Ok(c)
    }

    /// Checks internal consistency.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.parties.is_empty() {
            return Err(ConfigError::NoParties);
        }
        for (i, p) in self.parties.iter().enumerate() {
            if self.parties[..i].iter().any(|q| q.code == p.code) {
                return Err(ConfigError::DuplicateParty(p.code.clone()));
            }
            if let Some(text) = &p.first_key {
                corridor_ledger::PublicKey::from_text(text).map_err(|e| {
                    ConfigError::BadFirstKey {
                        party: p.code.clone(),
                        reason: e.to_string(),
                    }
                })?;
            }
        }
        if let ConsensusRule::Quorum { approvals } = self.consensus {
            if approvals == 0 || approvals as usize > self.parties.len() {
                return Err(ConfigError::BadQuorum {
                    approvals,
                    parties: self.parties.len(),
                });
            }
        }
        if self.documents.max_versions_per_kind == 0 {
            return Err(ConfigError::NonPositive("documents.max_versions_per_kind"));
        }
        if self.timing.decision_deadline_hours <= 0 {
            return Err(ConfigError::NonPositive("timing.decision_deadline_hours"));
        }
        if self.timing.clearance_validity_hours <= 0 {
            return Err(ConfigError::NonPositive("timing.clearance_validity_hours"));
        }
        if self.eligibility.min_notice_hours < 0 {
            return Err(ConfigError::NonPositive("eligibility.min_notice_hours"));
        }
        let items = &self.inspection.checklist;
        for (i, item) in items.iter().enumerate() {
            if item.id.trim().is_empty() || item.label.trim().is_empty() {
                return Err(ConfigError::BadCheckItem(format!(
                    "item {} needs an id and a label",
                    i + 1
                )));
            }
            if items[..i].iter().any(|other| other.id == item.id) {
                return Err(ConfigError::BadCheckItem(format!(
                    "{} is listed twice",
                    item.id
                )));
            }
        }
        Ok(())
    }

    /// Party codes in configuration order.
    pub fn party_codes(&self) -> impl Iterator<Item = &str> {
        self.parties.iter().map(|p| p.code.as_str())
    }

    /// The first key `code` must register, if the configuration pins one
    /// (checked by [`CorridorConfig::validate`]).
    pub fn first_key(&self, code: &str) -> Option<corridor_ledger::PublicKey> {
        self.parties
            .iter()
            .find(|p| p.code == code)
            .and_then(|p| p.first_key.as_deref())
            .and_then(|t| corridor_ledger::PublicKey::from_text(t).ok())
    }

    /// Whether `code` is a configured party.
    pub fn has_party(&self, code: &str) -> bool {
        self.parties.iter().any(|p| p.code == code)
    }

    /// The Black Sea Grain Initiative configuration shipped in the repository.
    pub fn bsgi() -> Result<Self, ConfigError> {
        Self::from_toml(BSGI_TOML)
    }

    /// The UNVIM-like configuration shipped in the repository.
    pub fn unvim() -> Result<Self, ConfigError> {
        Self::from_toml(UNVIM_TOML)
    }
}

/// `config/parties-bsgi.toml`.
pub const BSGI_TOML: &str = include_str!("../../../config/parties-bsgi.toml");
/// `config/parties-unvim.toml`.
pub const UNVIM_TOML: &str = include_str!("../../../config/parties-unvim.toml");
