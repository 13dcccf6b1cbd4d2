//! # corridor-track: vessel state, the corridor monitor, and the simulator
//!
//! Placeholder docs; see below.

pub mod alert;
pub mod config;
pub mod monitor;
pub mod registry;
pub mod report;
pub mod sim;
pub mod state;

pub use alert::{Alert, AlertKind, Evidence, Place};
pub use config::MonitorConfig;
pub use monitor::{Eta, Monitor, MonitorStats};
pub use registry::{MapRegistry, RegisteredVessel, Registry};
pub use report::{NavStatus, PositionReport, Report, StaticReport};
pub use state::{Fix, LastZone, VesselState, Zone};
