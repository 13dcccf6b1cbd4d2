//! Inspections vessels must pass before they reach a place.
//!
//! Tracking does not know who is awaiting which inspection: clearance does.
//! The caller hands the monitor the vessels whose inspection is still to
//! come, and the monitor raises `skipped_inspection` when one of them goes
//! where only an inspected vessel may: into a port, bound in, or out of the
//! corridor past its inspection area, bound out.

use std::collections::HashSet;

/// Where a vessel may go only once inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before {
    /// A port approach (a vessel bound in: the inspection comes before the port).
    Port,
    /// Open water beyond an inspection or waiting area (a vessel bound out:
    /// it leaves the corridor only once inspected).
    Exit,
}

/// The vessels awaiting an inspection, by the MMSI and the IMO number
/// their applications declare, and where each may not go before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionsDue {
    port: Ids,
    exit: Ids,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Ids {
    mmsi: HashSet<u32>,
    imo: HashSet<u32>,
}

impl InspectionsDue {
    /// None due.
    pub fn new() -> Self {
        Self::default()
    }

    /// A vessel (known by either number or both) that may not go `before`
    /// its inspection.
    pub fn add(&mut self, before: Before, mmsi: Option<u32>, imo: Option<u32>) {
        let ids = self.ids_mut(before);
        ids.mmsi.extend(mmsi);
        ids.imo.extend(imo);
    }

    /// Whether the vessel transmitting `mmsi` (whose AIS names `imo`, if
    /// it does) awaits an inspection it must pass before going `before`.
    /// Either number is enough: a vessel keeps its IMO number under a new
    /// MMSI, and an MMSI declared for it is its own.
    pub fn due(&self, before: Before, mmsi: u32, imo: Option<u32>) -> bool {
        let ids = match before {
            Before::Port => &self.port,
            Before::Exit => &self.exit,
        };
        ids.mmsi.contains(&mmsi) || imo.is_some_and(|i| ids.imo.contains(&i))
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
        d.add(Before::Port, Some(211_000_001), Some(9_300_001));
        d.add(Before::Exit, None, Some(9_300_002));
        assert!(d.due(Before::Port, 211_000_001, None));
        assert!(d.due(Before::Port, 538_000_009, Some(9_300_001)));
        assert!(!d.due(Before::Exit, 211_000_001, Some(9_300_001)));
        assert!(d.due(Before::Exit, 1, Some(9_300_002)));
        assert!(!d.due(Before::Port, 1, Some(9_300_002)));
        assert_eq!(d.len(), 3);
        assert!(InspectionsDue::new().is_empty());
    }
}
