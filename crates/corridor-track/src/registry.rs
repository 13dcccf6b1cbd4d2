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
    /// Add or replace a vessel (indexed by whichever of MMSI and IMO it
    /// has). One registration per vessel: an IMO registered again under
    /// another MMSI (a change of flag) leaves its old MMSI, and an MMSI
    /// given to another IMO leaves the old IMO.
    pub fn insert(&mut self, v: RegisteredVessel) {
        if let Some(m) = v.mmsi
            && let Some(old) = self.by_mmsi.insert(m, v)
            && let Some(i) = old.imo.filter(|i| Some(*i) != v.imo)
            && self.by_imo.get(&i).is_some_and(|o| o.mmsi == Some(m))
        {
            self.by_imo.remove(&i);
        }
        if let Some(i) = v.imo
            && let Some(old) = self.by_imo.insert(i, v)
            && let Some(m) = old.mmsi.filter(|m| Some(*m) != v.mmsi)
            && self.by_mmsi.get(&m).is_some_and(|o| o.imo == Some(i))
        {
            self.by_mmsi.remove(&m);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vessel(key: u64, imo: u32, mmsi: u32) -> RegisteredVessel {
        RegisteredVessel {
            key,
            imo: Some(imo),
            mmsi: Some(mmsi),
        }
    }

    #[test]
    fn a_vessel_registered_again_leaves_its_old_identity() {
        let mut r = MapRegistry::new();
        r.insert(vessel(1, 9_300_001, 211_000_001));
        r.insert(vessel(2, 9_300_002, 211_000_002));
        // Vessel 1 under a new flag's MMSI.
        r.insert(vessel(1, 9_300_001, 538_000_001));
        assert_eq!(r.by_mmsi(211_000_001), None);
        assert_eq!(r.by_imo(9_300_001).and_then(|v| v.mmsi), Some(538_000_001));
        // An MMSI reissued to another vessel.
        r.insert(vessel(3, 9_300_003, 211_000_002));
        assert_eq!(r.by_imo(9_300_002), None);
        assert_eq!(r.by_mmsi(211_000_002).and_then(|v| v.imo), Some(9_300_003));
        // The same again changes nothing.
        r.insert(vessel(3, 9_300_003, 211_000_002));
        assert_eq!(r.by_imo(9_300_003).map(|v| v.key), Some(3));
        assert_eq!(r.by_mmsi(538_000_001).map(|v| v.key), Some(1));
    }
}
