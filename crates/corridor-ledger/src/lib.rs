//! corridor-ledger (docs to come)
pub mod canonical;
pub mod hash;
pub mod merkle;
