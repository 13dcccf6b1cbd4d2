//! Errors of the planner. Every fallible entry point returns [`PlannerError`]; nothing panics on input.

/// What went wrong while reading configuration or planning.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlannerError {
    /// The capacity / resources TOML did not parse.
    #[error("configuration does not parse: {0}")]
    ConfigSyntax(String),
    /// The configuration parsed but is inconsistent (the message says where).
    #[error("invalid configuration: {0}")]
    ConfigInvalid(String),
    /// A time zone name is unknown to the bundled tz database.
    #[error("unknown time zone {0:?}")]
    TimeZone(String),
    /// A coordinator override has no reason, or names a vessel that is not waiting.
    #[error("invalid override for {id:?}: {why}")]
    Override {
        /// The vessel the override names.
        id: String,
        /// Why it was refused.
        why: String,
    },
    /// Input data (arrivals) are inconsistent.
    #[error("invalid input: {0}")]
    Input(String),
}

/// Result alias of this crate.
pub type Result<T, E = PlannerError> = std::result::Result<T, E>;
