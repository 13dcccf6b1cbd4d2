//! Ports with their UN/LOCODE.

use serde::Serialize;

/// A port the corridor serves or inspects at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Port {
    /// UN/LOCODE, five letters: country then location.
    pub locode: &'static str,
    /// The name the JCC published.
    pub name: &'static str,
    /// Other spellings found in records and registers.
    #[serde(skip)]
    pub aliases: &'static [&'static str],
}

/// The three Ukrainian ports of the Black Sea Grain Initiative.
/// Chornomorsk keeps its pre-2016 LOCODE (Illichivsk, UAILK).
pub const PORTS: &[Port] = &[
    Port {
        locode: "UAODS",
        name: "Odesa",
        aliases: &["odessa"],
    },
    Port {
        locode: "UAILK",
        name: "Chornomorsk",
        aliases: &["chornomorsk", "illichivsk", "ilyichevsk"],
    },
    Port {
        locode: "UAYUZ",
        name: "Yuzhny/Pivdennyi",
        aliases: &[
            "yuzhny",
            "yuzhnyy",
            "pivdennyi",
            "pivdenny",
            "yuzhny / pivdennyi",
        ],
    },
];

/// Finds a port by published name, alias or LOCODE.
/// Case-insensitive; names, LOCODEs and aliases are ASCII (a test checks),
/// so no lower-case copy is needed.
pub fn lookup(name: &str) -> Option<&'static Port> {
    let key = name.trim();
    PORTS.iter().find(|p| {
        p.name.eq_ignore_ascii_case(key)
            || p.locode.eq_ignore_ascii_case(key)
            || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(key))
    })
}

/// Finds a port by UN/LOCODE.
pub fn by_locode(locode: &str) -> Option<&'static Port> {
    PORTS.iter().find(|p| p.locode == locode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_by_any_spelling() {
        for (text, locode) in [
            ("Odesa", "UAODS"),
            (" ODESSA ", "UAODS"),
            ("uailk", "UAILK"),
            ("Yuzhny / Pivdennyi", "UAYUZ"),
            ("yuzhny/pivdennyi", "UAYUZ"),
        ] {
            assert_eq!(lookup(text).map(|p| p.locode), Some(locode), "{text:?}");
        }
        assert_eq!(lookup("Mykolaiv"), None);
        assert_eq!(lookup(""), None);
    }

    /// `lookup` relies on ASCII spellings.
    #[test]
    fn spellings_are_ascii() {
        for p in PORTS {
            assert!(p.name.is_ascii() && p.locode.is_ascii());
            assert!(p.aliases.iter().all(|a| a.is_ascii()));
        }
    }
}
