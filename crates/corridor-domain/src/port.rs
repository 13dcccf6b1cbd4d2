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
pub fn lookup(name: &str) -> Option<&'static Port> {
    let key = name.trim().to_lowercase();
    PORTS.iter().find(|p| {
        p.name.to_lowercase() == key
            || p.locode.to_lowercase() == key
            || p.aliases.contains(&key.as_str())
    })
}

/// Finds a port by UN/LOCODE.
pub fn by_locode(locode: &str) -> Option<&'static Port> {
    PORTS.iter().find(|p| p.locode == locode)
}
