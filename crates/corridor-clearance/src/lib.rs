//! corridor-clearance (docs to come)
pub mod accountability;
pub mod application;
pub mod config;
pub mod consensus;
pub mod eligibility;
pub mod machine;
pub mod roles;
