//! Inspections vessels must pass before they reach a place.
//!
//! Tracking does not know who is awaiting which inspection: clearance does.
//! The caller hands the monitor the vessels whose inspection (or clearance)
//! is still to come, each with a few words saying which application and
//! where it stands, and the monitor raises `skipped_inspection` when one of
//! them goes where only an inspected vessel may: into a port, bound in, or
//! away from the corridor, bound out.

use std::collections::HashMap;
use std::sync::Arc;

/// Where a vessel may go only once inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Before {
    /// A port approach (a vessel bound in: the inspection comes before the port).
    Port,
    /// Open water away from the corridor (a vessel bound out: it leaves the
    /// corridor only once inspected).
    Exit,
}

/// The vessels awaiting an inspection, by the MMSI and the IMO number
/// their applications declare, where each may not go before it, and what
/// the alert should say of it (`application BSGI-2026-000011, approved,
/// not yet inspected`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionsDue {
    port: Ids,
    exit: Ids,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Ids {
    mmsi: HashMap<u32, Arc<str>>,
    imo: HashMap<u32, Arc<str>>,
}

impl InspectionsDue {
    /// None due.
    pub fn new() -> Self {
        Self::default()
    }

    /// A vessel (known by either number or both) that may not go `before`
    /// its inspection; `what` names its application and where it stands.
    pub fn add(&mut self, before: Before, mmsi: Option<u32>, imo: Option<u32>, what: &str) {
        let what: Arc<str> = what.into();
        let ids = self.ids_mut(before);
        if let Some(m) = mmsi {
            ids.mmsi.insert(m, what.clone());
        }
        if let Some(i) = imo {
            ids.imo.insert(i, what);
        }
    }

    /// What is awaited of the vessel transmitting `mmsi` (whose AIS names
    /// `imo`, if it does) before it goes `before`, if anything is. Either
    /// number is enough: a vessel keeps its IMO number under a new MMSI,
    /// and an MMSI declared for it is its own.
    pub fn due(&self, before: Before, mmsi: u32, imo: Option<u32>) -> Option<&str> {
        let ids = match before {
            Before::Port => &self.port,
            Before::Exit => &self.exit,
        };
        ids.mmsi
            .get(&mmsi)
            .or_else(|| imo.and_then(|i| ids.imo.get(&i)))
            .map(|w| &**w)
    }

    /// How many numbers are held (MMSIs and IMOs, both places).
    pub fn len(&self) -> usize {
        [&self.port, &self.exit]
            .iter()
            .map(|i| i.mmsi.len() + i.imo.len())
            .sum()
    }

    /// Nothing due.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn ids_mut(&mut self, before: Before) -> &mut Ids {
        match before {
            Before::Port => &mut self.port,
            Before::Exit => &mut self.exit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_number_names_the_vessel_and_each_place_is_its_own() {
        let mut d = InspectionsDue::new();
        d.add(Before::Port, Some(211_000_001), Some(9_300_001), "A");
        d.add(Before::Exit, None, Some(9_300_002), "B");
        assert_eq!(d.due(Before::Port, 211_000_001, None), Some("A"));
        assert_eq!(d.due(Before::Port, 538_000_009, Some(9_300_001)), Some("A"));
        assert_eq!(d.due(Before::Exit, 211_000_001, Some(9_300_001)), None);
        assert_eq!(d.due(Before::Exit, 1, Some(9_300_002)), Some("B"));
        assert_eq!(d.due(Before::Port, 1, Some(9_300_002)), None);
        assert_eq!(d.len(), 3);
        assert!(InspectionsDue::new().is_empty());
    }
}
