//! The controlled list of commodities, and the spellings mapped onto it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A commodity the corridor carries. The published record uses 17 names;
/// each variant lists the spellings we accept for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Commodity {
    Corn,
    Wheat,
    Barley,
    SunflowerOil,
    SunflowerMeal,
    SunflowerSeed,
    SunflowerPellets,
    SoyaBeans,
    SoyaOil,
    Rapeseed,
    RapeseedMeal,
    Canola,
    Peas,
    VegetableOil,
    WheatBranPellets,
    SugarBeetPellets,
    Mixed,
}

/// (commodity, canonical name, other accepted spellings in lower case)
const TABLE: &[(Commodity, &str, &[&str])] = &[
    (Commodity::Corn, "Corn", &["maize"]),
    (Commodity::Wheat, "Wheat", &["milling wheat", "feed wheat"]),
    (Commodity::Barley, "Barley", &["feed barley"]),
    (
        Commodity::SunflowerOil,
        "Sunflower oil",
        &["sunflower seed oil", "sunoil", "sunflower-oil"],
    ),
    (
        Commodity::SunflowerMeal,
        "Sunflower meal",
        &["sunflower seed meal", "sunmeal"],
    ),
    (
        Commodity::SunflowerSeed,
        "Sunflower seed",
        &["sunflower seeds", "sunflowerseed"],
    ),
    (
        Commodity::SunflowerPellets,
        "Sunflower pellets",
        &["sunflower pellet", "sunflower husk pellets"],
    ),
    (
        Commodity::SoyaBeans,
        "Soya beans",
        &["soybeans", "soybean", "soya bean", "soy beans"],
    ),
    (Commodity::SoyaOil, "Soya oil", &["soybean oil", "soy oil"]),
    (Commodity::Rapeseed, "Rapeseed", &["rape seed", "rapeseeds"]),
    (
        Commodity::RapeseedMeal,
        "Rapeseed meal",
        &["rape seed meal"],
    ),
    (Commodity::Canola, "Canola", &[]),
    (Commodity::Peas, "Peas", &["pea", "yellow peas"]),
    (
        Commodity::VegetableOil,
        "Vegetable oil",
        &["vegetable oils"],
    ),
    (
        Commodity::WheatBranPellets,
        "Wheat bran pellets",
        &["wheat bran pellet"],
    ),
    (
        Commodity::SugarBeetPellets,
        "Sugar beet pellets",
        &["sugar beet pellet", "beet pulp pellets"],
    ),
    (Commodity::Mixed, "Mixed", &["mixed cargo"]),
];

impl Commodity {
    pub fn name(self) -> &'static str {
        TABLE
            .iter()
            .find(|(c, _, _)| *c == self)
            .map(|(_, n, _)| *n)
            .unwrap_or("?")
    }

    pub fn all() -> impl Iterator<Item = Commodity> {
        TABLE.iter().map(|(c, _, _)| *c)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown commodity {0:?}")]
pub struct UnknownCommodity(pub String);

impl FromStr for Commodity {
    type Err = UnknownCommodity;
    /// Case- and spacing-insensitive, without allocating: every name and
    /// alias is ASCII (a test checks), so comparing words with
    /// `eq_ignore_ascii_case` is comparing their lower-case forms.
    fn from_str(s: &str) -> Result<Self, UnknownCommodity> {
        TABLE
            .iter()
            .find(|(_, name, aliases)| {
                same_words(s, name) || aliases.iter().any(|a| same_words(s, a))
            })
            .map(|(c, _, _)| *c)
            .ok_or_else(|| UnknownCommodity(s.to_string()))
    }
}

/// Whether `s`, split at any whitespace, has the words of `name` (single
/// spaces), ignoring ASCII case.
fn same_words(s: &str, name: &str) -> bool {
    let mut a = s.split_whitespace();
    let mut b = name.split(' ');
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => {}
            _ => return false,
        }
    }
}

impl TryFrom<String> for Commodity {
    type Error = UnknownCommodity;
    fn try_from(s: String) -> Result<Self, UnknownCommodity> {
        s.parse()
    }
}

impl From<Commodity> for &'static str {
    fn from(c: Commodity) -> &'static str {
        c.name()
    }
}

impl fmt::Display for Commodity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_variants_map() {
        for c in Commodity::all() {
            assert_eq!(c.name().parse::<Commodity>(), Ok(c));
        }
        assert_eq!("  soybeans ".parse(), Ok(Commodity::SoyaBeans));
        assert_eq!("SUNFLOWER  OIL".parse(), Ok(Commodity::SunflowerOil));
        assert_eq!("Maize".parse(), Ok(Commodity::Corn));
        assert!("Ammunition".parse::<Commodity>().is_err());
        assert!("".parse::<Commodity>().is_err());
        assert!("Sunflower".parse::<Commodity>().is_err());
        assert!("Sunflower oil extra".parse::<Commodity>().is_err());
    }

    /// `from_str` compares with `eq_ignore_ascii_case` and single spaces.
    #[test]
    fn table_spellings_are_ascii_and_single_spaced() {
        for (_, name, aliases) in TABLE {
            for s in std::iter::once(name).chain(aliases.iter()) {
                assert!(s.is_ascii(), "{s:?}");
                assert_eq!(s.split_whitespace().collect::<Vec<_>>().join(" "), *s);
            }
        }
    }
}
