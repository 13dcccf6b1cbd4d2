//! Simulator (pending).
