//! The registered vessels the monitor links live vessels to (supplied by the caller).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A vessel registered with the coordination centre, as the tracker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredVessel {
    /// The caller's key for the registered vessel (a database id, say).
    pub key: u64,
    /// Its IMO number.
    pub imo: Option<u32>,
    /// Its MMSI as registered.
    pub mmsi: Option<u32>,
}

/// Lookup of registered vessels by MMSI and by IMO.
pub trait Registry {
    /// The registered vessel with this MMSI.
    fn by_mmsi(&self, mmsi: u32) -> Option<RegisteredVessel>;
    /// The registered vessel with this IMO number.
    fn by_imo(&self, imo: u32) -> Option<RegisteredVessel>;
}

/// A simple in-memory registry.
#[derive(Debug, Clone, Default)]
pub struct MapRegistry {
    by_mmsi: HashMap<u32, RegisteredVessel>,
    by_imo: HashMap<u32, RegisteredVessel>,
}

impl MapRegistry {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }
    /// Add or replace a vessel (indexed by whichever of MMSI and IMO it has).
    pub fn insert(&mut self, v: RegisteredVessel) {
        if let Some(m) = v.mmsi {
            self.by_mmsi.insert(m, v);
        }
        if let Some(i) = v.imo {
            self.by_imo.insert(i, v);
        }
    }
}

impl FromIterator<RegisteredVessel> for MapRegistry {
    fn from_iter<T: IntoIterator<Item = RegisteredVessel>>(iter: T) -> Self {
        let mut r = Self::new();
        for v in iter {
            r.insert(v);
        }
        r
    }
}

impl Registry for MapRegistry {
    fn by_mmsi(&self, mmsi: u32) -> Option<RegisteredVessel> {
        self.by_mmsi.get(&mmsi).copied()
    }
    fn by_imo(&self, imo: u32) -> Option<RegisteredVessel> {
        self.by_imo.get(&imo).copied()
    }
}

impl<R: Registry + ?Sized> Registry for &R {
    fn by_mmsi(&self, mmsi: u32) -> Option<RegisteredVessel> {
        (**self).by_mmsi(mmsi)
    }
    fn by_imo(&self, imo: u32) -> Option<RegisteredVessel> {
        (**self).by_imo(imo)
    }
}
